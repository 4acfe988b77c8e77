import type { PiiEntity, PiiType } from '../../../common/pii.js';

/** Finds one kind of entity in a text. Pure and deterministic. */
export interface PiiRecognizer {
  readonly type: PiiType;
  find(text: string): PiiEntity[];
}

/** How far before an entity a context word counts, in characters (about six words). */
const contextWindow = 40;

/**
 * `score`, raised to `boosted` when one of `words` stands in the `contextWindow` characters before
 * the entity or just after it, as Presidio's context enhancer does ("SSN: 123-45-6789").
 */
export function withContext(
  text: string,
  start: number,
  end: number,
  words: readonly RegExp[],
  score: number,
  boosted: number,
): number {
  const around = `${text.slice(Math.max(0, start - contextWindow), start)} ${text.slice(end, end + 12)}`;
  return words.some((word) => word.test(around)) ? boosted : score;
}

/** Every match of a global `pattern`, with its offsets. */
export function* matchesOf(
  text: string,
  pattern: RegExp,
): Generator<{ value: string; start: number; end: number }> {
  for (const match of text.matchAll(pattern)) {
    yield { value: match[0], start: match.index, end: match.index + match[0].length };
  }
}
