import { countTokens as countO200kTokens } from 'gpt-tokenizer/encoding/o200k_base';

// Text that happens to spell a special token (`<|endoftext|>`) is counted as ordinary text
// instead of making the tokenizer throw: prompts and documents may quote such strings.
const asPlainText = { disallowedSpecial: new Set<string>() };

/**
 * The number of tokens in `text` under OpenAI's o200k_base encoding (GPT-4o, GPT-4.1, o-series).
 * Other vendors' tokenizers give counts within some percent of it: right for budgets and
 * warnings, not for billing (the provider's reported usage is the bill).
 */
export function countTokens(text: string): number {
  return countO200kTokens(text, asPlainText);
}
