import { all, create, type FactoryFunctionMap } from 'mathjs';
import { z } from 'zod';
import { defineTool, ToolInputError } from './tool.js';

/**
 * A mathjs instance with the functions that could reach outside an expression switched off,
 * as mathjs's own security guidance recommends: no `import`, `createUnit`, nested `evaluate` or
 * `parse`. Expressions are parsed by mathjs, never by `eval`.
 */
// mathjs types `all` as possibly undefined; at run time it is the full factory map. Numbers are
// BigNumbers of 64 significant digits: an agent asks a calculator so that arithmetic is exact,
// and binary floating point is not (123456789 * 987654321 + 1 would lose its last digits).
const precision = 64;
const math = create(all as FactoryFunctionMap, { number: 'BigNumber', precision });
/** Beyond this, an integer has more digits than the precision holds: its last ones are not exact. */
const largestExact = math.bignumber(`1e${precision}`);
const evaluateExpression = math.evaluate.bind(math);
const disabled = (name: string) => () => {
  throw new Error(`${name} is disabled in the calculator`);
};
math.import(
  {
    import: disabled('import'),
    createUnit: disabled('createUnit'),
    evaluate: disabled('evaluate'),
    parse: disabled('parse'),
    simplify: disabled('simplify'),
    derivative: disabled('derivative'),
    resolve: disabled('resolve'),
    reviver: disabled('reviver'),
  },
  { override: true },
);

const maxExpressionLength = 500;

/** A result whose decimals end within this many places is shown exactly (0.1 + 0.2 is 0.3). */
const exactDecimals = 20;
/** Significant digits of a result that does not end (1/3, sqrt(2)): more than a person reads. */
const shownDigits = 15;

/**
 * The value as a person reads a number: plain decimal notation, never an exponent, every digit of
 * an integer or a terminating decimal, and 15 significant digits of one that does not end. A
 * number of more than 64 digits (100!) is not exact, and says so with an exponent. Units,
 * matrices and complex numbers as mathjs writes them, to 14 digits.
 */
function formatValue(value: unknown, expression: string): string {
  if (math.isBigNumber(value)) {
    if (!value.isFinite())
      throw new ToolInputError(`"${expression}" has no finite value (${value.toString()})`);
    if (value.abs().gte(largestExact)) return value.toSignificantDigits(shownDigits).toExponential();
    const shown = value.decimalPlaces() <= exactDecimals ? value : value.toSignificantDigits(shownDigits);
    return shown.toFixed();
  }
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new ToolInputError(`"${expression}" has no finite value (${String(value)})`);
  return math.format(value, { precision: 14 });
}

export const calculator = defineTool({
  name: 'calculator',
  pure: true,
  description:
    'Evaluates one arithmetic expression exactly and returns the number. Supports + - * / ^ %, parentheses, ' +
    'sqrt, abs, round, floor, ceil, log, exp, sin, cos, tan, pi, e and unit conversions such as "5 km to mi".',
  inputSchema: z.object({
    expression: z
      .string()
      .min(1)
      .max(maxExpressionLength)
      .describe('The expression, e.g. "0.175 * 2340 + sqrt(144)"'),
  }),
  execute({ expression }) {
    let value: unknown;
    try {
      value = evaluateExpression(expression);
    } catch (error) {
      throw new ToolInputError(`cannot evaluate "${expression}": ${(error as Error).message}`);
    }
    if (typeof value === 'function' || value === undefined) {
      throw new ToolInputError(`"${expression}" is not an expression with a value`);
    }
    return Promise.resolve(formatValue(value, expression));
  },
});
