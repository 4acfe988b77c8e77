import type { AnalysisFieldType } from '../../common/analysis-spec.js';

const dateWords = new Set(['date', 'effective', 'expiration', 'expiry']);
const moneyWords = new Set(['cap', 'amount', 'price', 'fee', 'fees', 'payment', 'cost', 'rent', 'deposit']);
/** Words ending in `s` that are not plurals. */
const singularEndings = ['ss', 'us', 'is'];

/**
 * The type of a field the spec did not declare, from its name's words (split on `_`):
 * 1. date: any word is `date`, `effective`, `expiration` or `expiry` (`effective_date`, `expiration`);
 * 2. money: the last word is `cap`, `amount`, `price`, `fee`, `fees`, `payment`, `cost`, `rent` or
 *    `deposit` (`liability_cap`, `late_fee`);
 * 3. list: the last word is a plural, ending in `s` but not `ss`, `us` or `is` (`parties`,
 *    `obligations`; not `address`, `status`, `basis`);
 * 4. text otherwise (`governing_law`, `termination`).
 */
export function inferFieldType(name: string): AnalysisFieldType {
  const words = name.toLowerCase().split('_').filter(Boolean);
  const last = words.at(-1) ?? '';
  if (words.some((word) => dateWords.has(word))) return 'date';
  if (moneyWords.has(last)) return 'money';
  if (last.endsWith('s') && !singularEndings.some((ending) => last.endsWith(ending))) return 'list';
  return 'text';
}
