/**
 * The second layer: segments written in an encoding (base64, hex, URL-encoding, rot13) are
 * decoded and checked again, so an instruction cannot hide in one. A segment counts only when
 * it decodes to mostly printable text.
 */

export interface DecodedSegment {
  encoding: 'base64' | 'hex' | 'url' | 'rot13';
  text: string;
}

const base64Segment = /(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])/g;
const hexSegment = /(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){10,}(?![0-9A-Fa-f])/g;
/** A run without spaces that holds three or more `%XX` escapes. */
const urlEncoded = /[^\s%]*(?:%[0-9A-Fa-f]{2}[^\s%]*){3,}/g;

/** Mostly letters, digits, spaces and punctuation: a decoded segment that is text, not bytes. */
function isReadable(text: string): boolean {
  if (text.length < 8) return false;
  const readable = text.match(/[\p{L}\p{N}\p{P}\s]/gu)?.length ?? 0;
  return readable / text.length > 0.9 && /\p{L}{3,}/u.test(text);
}

export function rot13(text: string): string {
  return text.replace(/[A-Za-z]/g, (letter) => {
    const base = letter <= 'Z' ? 65 : 97;
    return String.fromCharCode(((letter.charCodeAt(0) - base + 13) % 26) + base);
  });
}

export function decodeSegments(text: string): DecodedSegment[] {
  const segments: DecodedSegment[] = [];
  for (const [match] of text.matchAll(base64Segment)) {
    const decoded = Buffer.from(match, 'base64').toString('utf8');
    if (isReadable(decoded)) segments.push({ encoding: 'base64', text: decoded });
  }
  for (const [match] of text.matchAll(hexSegment)) {
    const decoded = Buffer.from(match, 'hex').toString('utf8');
    if (isReadable(decoded)) segments.push({ encoding: 'hex', text: decoded });
  }
  for (const [match] of text.matchAll(urlEncoded)) {
    try {
      const decoded = decodeURIComponent(match);
      if (isReadable(decoded)) segments.push({ encoding: 'url', text: decoded });
    } catch {
      // Not valid URL-encoding: nothing hidden there.
    }
  }
  // Any text may be rot13: its decoding is checked like the others, and counts only if it hits.
  segments.push({ encoding: 'rot13', text: rot13(text) });
  return segments;
}
