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
/**
 * One `%XX` escape. `urlEncoded` is tried at every position, where it reads to the end of the word
 * and backs off a character at a time looking for a `%`; a text with fewer than three escapes has
 * no URL-encoded run, and this count, far cheaper, spares it that search.
 */
const urlEscape = /%[0-9A-Fa-f]{2}/g;

/** The shortest base64 segment; a hex segment (20 digits or more) is longer. */
const shortestSegment = 16;

/** Whether a UTF-16 code unit is a base64 character (`A-Z`, `a-z`, `0-9`, `+`, `/`) or its padding `=`. */
function isBase64Code(code: number): boolean {
  return (
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    (code >= 48 && code <= 57) ||
    code === 43 ||
    code === 47 ||
    code === 61
  );
}

/**
 * The runs of base64 characters and `=` of `shortestSegment` or more, each whole: the only places
 * a base64 or hex segment can be (hex digits are base64 characters, and the segment patterns'
 * lookarounds stop at a character outside the run, as they stop at a string's ends). Found in one
 * pass over the code units: the segment patterns, tried at every position of the text, cost more
 * than the rest of the decoding, and ordinary prose has few such runs, if any.
 */
function base64Runs(text: string): string[] {
  const runs: string[] = [];
  let start = 0;
  for (let index = 0; index <= text.length; index += 1) {
    if (index < text.length && isBase64Code(text.charCodeAt(index))) continue;
    if (index - start >= shortestSegment) runs.push(text.slice(start, index));
    start = index + 1;
  }
  return runs;
}

/** Mostly letters, digits, spaces and punctuation: a decoded segment that is text, not bytes. */
function isReadable(text: string): boolean {
  if (text.length < 8) return false;
  const readable = text.match(/[\p{L}\p{N}\p{P}\s]/gu)?.length ?? 0;
  return readable / text.length > 0.9 && /\p{L}{3,}/u.test(text);
}

/** How many character codes `String.fromCharCode` is given at once: well under the engine's argument limit. */
const fromCharCodeChunk = 8_192;

/**
 * `text` with each ASCII letter turned 13 places; every other code unit (surrogate halves too)
 * kept. Every window is rot13-decoded, so this runs on every character scanned, as one pass over
 * the code units: a `replace` calling back for each letter cost as much as all the heuristics.
 */
export function rot13(text: string): string {
  const codes = new Uint16Array(text.length);
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 97 && code <= 122) codes[index] = ((code - 97 + 13) % 26) + 97;
    else if (code >= 65 && code <= 90) codes[index] = ((code - 65 + 13) % 26) + 65;
    else codes[index] = code;
  }
  let rotated = '';
  for (let start = 0; start < codes.length; start += fromCharCodeChunk)
    // `apply` takes the typed array as it is: spreading it goes through its iterator, several times slower.
    rotated += String.fromCharCode.apply(
      null,
      codes.subarray(start, start + fromCharCodeChunk) as unknown as number[],
    );
  return rotated;
}

export function decodeSegments(text: string): DecodedSegment[] {
  const segments: DecodedSegment[] = [];
  const runs = base64Runs(text);
  for (const [match] of runs.flatMap((run) => [...run.matchAll(base64Segment)])) {
    const decoded = Buffer.from(match, 'base64').toString('utf8');
    if (isReadable(decoded)) segments.push({ encoding: 'base64', text: decoded });
  }
  for (const [match] of runs.flatMap((run) => [...run.matchAll(hexSegment)])) {
    const decoded = Buffer.from(match, 'hex').toString('utf8');
    if (isReadable(decoded)) segments.push({ encoding: 'hex', text: decoded });
  }
  const urlEncodedRuns = (text.match(urlEscape)?.length ?? 0) >= 3 ? text.matchAll(urlEncoded) : [];
  for (const [match] of urlEncodedRuns) {
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
