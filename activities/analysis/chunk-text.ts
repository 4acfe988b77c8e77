/**
 * Token-aware chunking for long documents. Pure: the caller passes the token counter, so this file
 * runs in the workflow sandbox and in tests with any tokenizer.
 *
 * Every position in the text gets a boundary rank, best first:
 *   0 the start of a line that opens a section: a Markdown heading, a numbered clause ("1.",
 *     "1.2", "12.3(b)"), "Section 5", "ARTICLE IV", or a lettered/roman item ("(a)", "(iv)")
 *   1 the start of a paragraph (after a blank line)
 *   2 the start of any other line
 *     (a clause marker right after a sentence end in the middle of a line ranks as a paragraph)
 *   3 the start of a sentence (after ". ", "? ", "! ", "; ", ": ")
 *   4 the start of a word (after whitespace)
 *   5 any other character (only for runs with no whitespace at all; never inside a surrogate pair)
 *
 * A chunk grows to the furthest end whose slice still fits `maxTokens`; its end is then the best
 * ranked boundary in the back half of that reach (the furthest one of that rank), so a chunk stops
 * before a clause rather than inside it. The next chunk starts inside the last `overlapTokens` of
 * the previous one: at the best-ranked boundary in the earlier half of that window (the earliest
 * one of that rank), so it starts on a clause when one is within reach, and the overlap is at most
 * `overlapTokens` and usually at least half of it. Chunks are exact slices of the source.
 */
export type TextChunk = {
  index: number;
  /** Offset of the first character in the source text. */
  start: number;
  /** Offset after the last character: `text === source.slice(start, end)`. */
  end: number;
  text: string;
};

export type ChunkTextOptions = {
  maxTokens: number;
  overlapTokens: number;
  countTokens: (text: string) => number;
};

const clauseStart = new RegExp(
  [
    String.raw`#{1,6}\s`, // Markdown heading
    String.raw`\d{1,3}(?:\.\d{1,3})*(?:\.|\)|\s|\([a-z0-9]{1,4}\))`, // 1.  1.2  3)  12.3(b)
    String.raw`(?:section|article|clause|schedule|exhibit|annex|appendix)\s+(?:\d|[ivxlc]+\b)`, // Section 5, ARTICLE IV
    String.raw`\((?:[a-z]{1,2}|[ivxlc]{1,6}|\d{1,3})\)\s`, // (a)  (iv)  (12)
  ].join('|'),
  'iy',
);

/** A clause marker in the middle of a line, right after a sentence end (flattened text). */
const inlineClauseStart =
  /(?:\d{1,3}(?:\.\d{1,3})*\.\s+\p{Lu}|(?:[Ss]ection|SECTION|[Aa]rticle|ARTICLE)\s+\d|\((?:[a-z]|[ivx]{1,6})\)\s)/uy;

const rankSection = 0;
const rankParagraph = 1;
const rankLine = 2;
const rankSentence = 3;
const rankWord = 4;
const rankCharacter = 5;
const rankNever = 6;

/** Splits `text` into overlapping chunks of at most `maxTokens` tokens each. */
export function chunkText(text: string, options: ChunkTextOptions): TextChunk[] {
  const { maxTokens, overlapTokens, countTokens } = options;
  if (!Number.isInteger(maxTokens) || maxTokens < 1)
    throw new Error(`maxTokens must be a positive integer, got ${maxTokens}`);
  if (!Number.isInteger(overlapTokens) || overlapTokens < 0 || overlapTokens >= maxTokens) {
    throw new Error(`overlapTokens must be an integer from 0 to maxTokens - 1, got ${overlapTokens}`);
  }
  if (text.length === 0) return [];

  const ranks = boundaryRanks(text);
  const tokensIn = (start: number, end: number): number => countTokens(text.slice(start, end));
  const chunks: TextChunk[] = [];
  let start = 0;
  let previousEnd = 0;

  for (;;) {
    let end = chooseEnd(text, ranks, start, previousEnd, maxTokens, tokensIn);
    if (end === undefined && start < previousEnd) {
      // The overlap left no room to pass the previous end (a rare jump in token counts): drop it.
      start = previousEnd;
      end = chooseEnd(text, ranks, start, previousEnd, maxTokens, tokensIn);
    }
    if (end === undefined) {
      throw new Error(`cannot make progress at offset ${start}: one character exceeds ${maxTokens} tokens`);
    }
    chunks.push({ index: chunks.length, start, end, text: text.slice(start, end) });
    if (end === text.length) return chunks;
    start = overlapTokens === 0 ? end : chooseNextStart(ranks, start, end, overlapTokens, tokensIn);
    previousEnd = end;
  }
}

/** The end of the chunk that starts at `start`: it fits the budget and passes `previousEnd`, if one can. */
function chooseEnd(
  text: string,
  ranks: Uint8Array,
  start: number,
  previousEnd: number,
  maxTokens: number,
  tokensIn: (start: number, end: number) => number,
): number | undefined {
  let reach = furthestFit(text.length, start, maxTokens, tokensIn);
  for (;;) {
    const floor = Math.max(previousEnd + 1, start + 1);
    if (reach < floor) return undefined;
    if (reach === text.length) return reach;
    const backHalf = Math.max(floor, start + Math.ceil((reach - start) / 2));
    const end = bestBoundary(ranks, backHalf, reach, 'latest') ?? bestBoundary(ranks, floor, reach, 'latest');
    if (end === undefined) {
      throw new Error(`no boundary between offsets ${floor} and ${reach}`);
    }
    // Token counts are not strictly monotonic in the slice length: check the chosen slice itself.
    if (tokensIn(start, end) <= maxTokens) return end;
    reach = end - 1;
  }
}

/** The largest `end` with `tokensIn(start, end) <= maxTokens`, by galloping then bisection. */
function furthestFit(
  length: number,
  start: number,
  maxTokens: number,
  tokensIn: (start: number, end: number) => number,
): number {
  let low = start; // fits (empty slice)
  let high = Math.min(length, start + maxTokens * 6);
  while (tokensIn(start, high) <= maxTokens) {
    if (high === length) return high;
    low = high;
    high = Math.min(length, start + (high - start) * 2);
  }
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if (tokensIn(start, middle) <= maxTokens) low = middle;
    else high = middle;
  }
  return low;
}

/** Where the next chunk starts: inside the last `overlapTokens` of `[start, end)`, on a good boundary. */
function chooseNextStart(
  ranks: Uint8Array,
  start: number,
  end: number,
  overlapTokens: number,
  tokensIn: (start: number, end: number) => number,
): number {
  let earliest = earliestTailWithin(start + 1, end, overlapTokens, tokensIn);
  // A section start wins if it keeps at least a quarter of the overlap.
  const sectionsBefore = earliestTailWithin(start + 1, end, Math.floor(overlapTokens / 4), tokensIn);
  for (;;) {
    if (earliest >= end) return end;
    const section = bestBoundary(ranks, earliest, sectionsBefore - 1, 'earliest');
    const earlierHalf = earliest + Math.floor((end - earliest) / 2);
    const candidate =
      section !== undefined && ranks[section] === rankSection
        ? section
        : (bestBoundary(ranks, earliest, earlierHalf, 'earliest') ??
          bestBoundary(ranks, earliest, end - 1, 'earliest'));
    if (candidate === undefined) return end;
    // Token counts are not strictly monotonic: check the overlap actually chosen.
    if (tokensIn(candidate, end) <= overlapTokens) return candidate;
    earliest = candidate + 1;
  }
}

/** The earliest offset in `[from, end]` whose tail to `end` fits `budget` (tails shrink as it moves right). */
function earliestTailWithin(
  from: number,
  end: number,
  budget: number,
  tokensIn: (start: number, end: number) => number,
): number {
  let low = from;
  let high = end;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (tokensIn(middle, end) <= budget) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** The best-ranked boundary in `[from, to]`, the latest or earliest of its rank. */
function bestBoundary(
  ranks: Uint8Array,
  from: number,
  to: number,
  prefer: 'latest' | 'earliest',
): number | undefined {
  let best: number | undefined;
  let bestRank = rankNever;
  if (prefer === 'latest') {
    for (let position = to; position >= from; position -= 1) {
      const rank = ranks[position] ?? rankNever;
      if (rank < bestRank) {
        best = position;
        bestRank = rank;
        if (rank === rankSection) break;
      }
    }
  } else {
    for (let position = from; position <= to; position += 1) {
      const rank = ranks[position] ?? rankNever;
      if (rank < bestRank) {
        best = position;
        bestRank = rank;
        if (rank === rankSection) break;
      }
    }
  }
  return best;
}

/** `ranks[p]` rates cutting the text just before character `p` (see the file comment). */
function boundaryRanks(text: string): Uint8Array {
  const ranks = new Uint8Array(text.length + 1).fill(rankCharacter);
  const better = (position: number, rank: number): void => {
    if (rank < (ranks[position] ?? rankNever)) ranks[position] = rank;
  };
  for (let position = 1; position < text.length; position += 1) {
    const code = text.charCodeAt(position);
    if (code >= 0xdc00 && code <= 0xdfff) ranks[position] = rankNever; // inside a surrogate pair
  }
  for (const match of text.matchAll(/\s+/g)) better(match.index + match[0].length, rankWord);
  for (const match of text.matchAll(/[.!?;:]["'”’)\]]*\s+/g)) {
    const position = match.index + match[0].length;
    inlineClauseStart.lastIndex = position;
    better(position, inlineClauseStart.test(text) ? rankParagraph : rankSentence);
  }
  for (let position = 0; position < text.length; position += 1) {
    if (text.charCodeAt(position) !== 10) continue;
    // A cut goes before the line's first non-space character.
    let lineStart = position + 1;
    while (text.charCodeAt(lineStart) === 32) lineStart += 1;
    if (lineStart >= text.length || text.charCodeAt(lineStart) === 10) continue;
    const blankBefore = /\n[ \t]*\n[ \t]*$/.test(text.slice(Math.max(0, position - 64), lineStart));
    clauseStart.lastIndex = lineStart;
    const rank = clauseStart.test(text) ? rankSection : blankBefore ? rankParagraph : rankLine;
    better(position + 1, rank);
  }
  ranks[0] = rankNever;
  ranks[text.length] = rankSection;
  return ranks;
}
