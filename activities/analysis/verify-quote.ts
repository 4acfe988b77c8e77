/**
 * Checks that a quote a model gave as evidence really is in the text it was shown. Pure.
 *
 * The match is verbatim and case-sensitive after folding both sides the same way:
 * - every run of whitespace (spaces, tabs, line breaks) counts as one space, and the quote's
 *   leading and trailing whitespace is ignored, so a quote that reflows a wrapped line matches;
 * - curly single quotes and primes (‘ ’ ‚ ‛ ′) count as ', curly double quotes (“ ” „ ‟ ″) as ";
 * - hyphens and dashes (‐ ‑ ‒ – — ― −) count as -.
 * Nothing else is forgiven: a changed word, letter case or punctuation mark is not the quote.
 * Offsets are into the original, unfolded text.
 */
export type QuoteSpan = { start: number; end: number };
export type FoundQuote = QuoteSpan & { quote: string };
export type QuoteCheck = { found: FoundQuote[]; hallucinated: string[] };

const foldedCharacter: Readonly<Record<string, string>> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u2032': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u201f': '"',
  '\u2033': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
};

/** The folded text, and for each of its characters the original `[start, end)` it stands for. */
function fold(text: string): { folded: string; starts: number[]; ends: number[] } {
  let folded = '';
  const starts: number[] = [];
  const ends: number[] = [];
  let position = 0;
  while (position < text.length) {
    const character = text.charAt(position);
    if (/\s/.test(character)) {
      let after = position + 1;
      while (after < text.length && /\s/.test(text.charAt(after))) after += 1;
      folded += ' ';
      starts.push(position);
      ends.push(after);
      position = after;
      continue;
    }
    folded += foldedCharacter[character] ?? character;
    starts.push(position);
    ends.push(position + 1);
    position += 1;
  }
  return { folded, starts, ends };
}

/** Where `quote` occurs in `text` (the first occurrence), or undefined when it does not. */
export function findQuote(text: string, quote: string): QuoteSpan | undefined {
  return locate(fold(text), quote);
}

function locate({ folded, starts, ends }: ReturnType<typeof fold>, quote: string): QuoteSpan | undefined {
  const wanted = fold(quote.trim()).folded;
  if (wanted.length === 0) return undefined;
  const at = folded.indexOf(wanted);
  if (at < 0) return undefined;
  const start = starts[at];
  const end = ends[at + wanted.length - 1];
  return start === undefined || end === undefined ? undefined : { start, end };
}

/**
 * Splits `quotes` into those found in `text` (with offsets, plus `offset`: pass a chunk's start to
 * get offsets into the whole document) and those that are not there.
 */
export function verifyQuotes(text: string, quotes: readonly string[], offset = 0): QuoteCheck {
  const found: FoundQuote[] = [];
  const hallucinated: string[] = [];
  const folded = fold(text);
  for (const quote of quotes) {
    const span = locate(folded, quote);
    if (span) found.push({ quote, start: span.start + offset, end: span.end + offset });
    else hallucinated.push(quote);
  }
  return { found, hallucinated };
}
