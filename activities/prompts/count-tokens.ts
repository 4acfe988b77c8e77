import type * as O200k from 'gpt-tokenizer/encoding/o200k_base';
import { createRequire } from 'node:module';

/**
 * The o200k tokenizer, loaded on the first count (its tables take about 55 MB and 0.2 s), so a
 * command that counts nothing never loads it. Its CommonJS build, so the count stays synchronous.
 */
let tokenizer: typeof O200k | undefined;
function o200k(): typeof O200k {
  tokenizer ??= createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base') as typeof O200k;
  return tokenizer;
}

// Text that happens to spell a special token (`<|endoftext|>`) is counted as ordinary text
// instead of making the tokenizer throw: prompts and documents may quote such strings.
const asPlainText = { disallowedSpecial: new Set<string>() };

/**
 * The number of tokens in `text` under OpenAI's o200k_base encoding (GPT-4o, GPT-4.1, o-series).
 * Other vendors' tokenizers give counts within some percent of it: right for budgets and
 * warnings, not for billing (the provider's reported usage is the bill).
 */
export function countTokens(text: string): number {
  return o200k().countTokens(text, asPlainText);
}
