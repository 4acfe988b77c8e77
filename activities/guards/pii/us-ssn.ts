import type { PiiRecognizer } from './recognizer.js';
import { matchesOf, withContext } from './recognizer.js';

/** Area, group and serial, split by one kind of separator (or none), not inside a longer number. */
const ssnPattern = /(?<![\d-])(\d{3})([- .]?)(\d{2})\2(\d{4})(?![\d-])/g;

const ssnContext = [
  /\bssn\b/i,
  /\bsocial\s+security\b/i,
  /\bss#/i,
  /\bssid\b/i,
  /\btaxpayer\b/i,
  /\bitin\b/i,
];

/**
 * Whether the number could be issued: the SSA never gives area 000, 666 or 900-999 (those are
 * ITINs), group 00 or serial 0000, and the well-known sample numbers are out.
 */
export function isPossibleSsn(area: string, group: string, serial: string): boolean {
  if (area === '000' || area === '666' || area.startsWith('9')) return false;
  if (group === '00' || serial === '0000') return false;
  const digits = area + group + serial;
  if (/^(\d)\1+$/.test(digits) || digits === '123456789' || digits === '078051120') return false;
  return true;
}

/**
 * US social security numbers. Written `ddd-dd-dddd` the form alone is strong evidence; nine bare
 * digits are any number, so they count only next to "SSN" or "social security".
 */
export const usSsnRecognizer: PiiRecognizer = {
  type: 'US_SSN',
  find(text) {
    return [...matchesOf(text, ssnPattern)].flatMap(({ value, start, end }) => {
      const [, area = '', separator = '', group = '', serial = ''] =
        /^(\d{3})([- .]?)(\d{2})[- .]?(\d{4})$/.exec(value) ?? [];
      if (!isPossibleSsn(area, group, serial)) return [];
      const base = separator === '-' ? 0.6 : separator ? 0.4 : 0.1;
      return [
        { type: 'US_SSN' as const, start, end, score: withContext(text, start, end, ssnContext, base, 0.95) },
      ];
    });
  },
};
