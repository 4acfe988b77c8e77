import { isIPv6 } from 'node:net';
import type { PiiRecognizer } from './recognizer.js';
import { matchesOf, withContext } from './recognizer.js';

const octet = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/** Four octets, not part of a longer dotted number (a version such as 1.2.3.4.5). */
const ipv4Pattern = new RegExp(`(?<![\\d.])${octet}(?:\\.${octet}){3}(?![\\d]|\\.\\d)`, 'g');
/** Hex groups and colons, at least two colons; `isIPv6` decides. */
const ipv6Candidate =
  /(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{0,4}|\d{1,3}(?:\.\d{1,3}){3})(?![0-9A-Fa-f:])/g;
/**
 * Two colons with at most four hex digits between them, which every IPv6 candidate holds. The
 * candidate pattern starts with a lookbehind and is tried at every position; this one starts with
 * a `:`, which the engine finds at once, so a text without such a pair skips the costlier search.
 */
const twoColons = /:[0-9A-Fa-f]{0,4}:/;

/** Words before a dotted number that make it a version, not an address. */
const versionBefore = /\b(?:version|ver|v|release|build|firmware|upgrad\w*|updat\w*)\s*(?:to\s+)?:?\s*$/i;

const ipContext = [/\bip\b/i, /\baddress\b/i, /\bhost\b/i, /\bserver\b/i, /\blogged\b/i, /\bfrom\b/i];

/** IPv4 and IPv6 addresses; an IPv6 candidate must parse as one. */
export const ipAddressRecognizer: PiiRecognizer = {
  type: 'IP_ADDRESS',
  find(text) {
    const v4 = [...matchesOf(text, ipv4Pattern)]
      .filter(({ start }) => !versionBefore.test(text.slice(Math.max(0, start - 24), start)))
      .map(({ start, end }) => ({
        type: 'IP_ADDRESS' as const,
        start,
        end,
        score: withContext(text, start, end, ipContext, 0.6, 0.9),
      }));
    const v6 = [...(twoColons.test(text) ? matchesOf(text, ipv6Candidate) : [])]
      .filter(
        ({ value }) => isIPv6(value) && /[0-9A-Fa-f]/.test(value) && value.replace(/[^:]/g, '').length >= 2,
      )
      .map(({ start, end }) => ({ type: 'IP_ADDRESS' as const, start, end, score: 0.8 }));
    return [...v4, ...v6];
  },
};
