/** What fits a token budget: the passages kept (best first), and how many were left out. */
export interface Fitted<T> {
  kept: T[];
  /** Passages left out because the budget was spent; the best ones are always kept first. */
  leftOut: number;
  /** Tokens the kept passages use; never more than the budget. */
  tokens: number;
}

/**
 * Keeps passages in their order (best first) while their tokens (`countTokens`, a real tokenizer)
 * fit `maxTokens`; a passage that does not fit is left out, and so is every one after it, so the
 * kept ones are always the best. The first passage alone over the budget is cut to fit, at a
 * word, rather than give nothing. Pure.
 */
export function fitToBudget<T extends { text: string }>(
  passages: readonly T[],
  maxTokens: number,
  countTokens: (text: string) => number,
): Fitted<T> {
  const kept: T[] = [];
  let tokens = 0;
  for (const passage of passages) {
    const cost = countTokens(passage.text);
    if (tokens + cost <= maxTokens) {
      kept.push(passage);
      tokens += cost;
      continue;
    }
    if (kept.length === 0) {
      const cut = cutToTokens(passage.text, maxTokens, countTokens);
      kept.push({ ...passage, text: cut });
      tokens = countTokens(cut);
    }
    break;
  }
  return { kept, leftOut: passages.length - kept.length, tokens };
}

/** The longest prefix of `text`, ended at a word, of at most `maxTokens` tokens (binary search). */
export function cutToTokens(text: string, maxTokens: number, countTokens: (text: string) => number): string {
  const words = text.split(/(?<=\s)/);
  let low = 0;
  let high = words.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (countTokens(words.slice(0, middle).join('')) <= maxTokens) low = middle;
    else high = middle - 1;
  }
  return words.slice(0, low).join('').trimEnd();
}
