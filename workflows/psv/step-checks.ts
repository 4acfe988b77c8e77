import type { StepCheck } from '../../common/plan.js';

/** The outcome of verifying one step's result. */
export interface CheckOutcome {
  pass: boolean;
  reason: string;
}

/** A result that is exactly one number: optional sign, thousands separators, decimals, exponent. */
function asNumber(result: string): number | undefined {
  const text = result
    .trim()
    .replace(/^\$/, '')
    .replace(/,(?=\d{3}\b)/g, '');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

const fold = (text: string): string => text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/** Runs a plan's programmatic check on a step's result. Deterministic: it runs inside workflows. */
export function runStepCheck(check: StepCheck, result: string): CheckOutcome {
  switch (check.kind) {
    case 'number': {
      const value = asNumber(result);
      return value === undefined
        ? { pass: false, reason: `expected one number, got "${preview(result)}"` }
        : { pass: true, reason: `${value} is a number` };
    }
    case 'non_empty':
      return result.trim() === ''
        ? { pass: false, reason: 'the result is empty' }
        : { pass: true, reason: 'the result is not empty' };
    case 'equals':
      return fold(result) === fold(check.value)
        ? { pass: true, reason: `equals "${check.value}"` }
        : { pass: false, reason: `expected "${check.value}", got "${preview(result)}"` };
    case 'regex':
      return new RegExp(check.pattern).test(result)
        ? { pass: true, reason: `matches /${check.pattern}/` }
        : { pass: false, reason: `"${preview(result)}" does not match /${check.pattern}/` };
    case 'range': {
      const value = asNumber(result);
      const bounds = `[${check.min ?? '-inf'}, ${check.max ?? 'inf'}]`;
      if (value === undefined)
        return { pass: false, reason: `expected a number in ${bounds}, got "${preview(result)}"` };
      const inside =
        (check.min === undefined || value >= check.min) && (check.max === undefined || value <= check.max);
      return inside
        ? { pass: true, reason: `${value} is in ${bounds}` }
        : { pass: false, reason: `${value} is outside ${bounds}` };
    }
  }
}

function preview(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
