import type { BigNumber, FactoryFunctionMap, MathJsInstance } from 'mathjs';
import { z } from 'zod';
import { defineTool, ToolInputError } from './tool.js';

// Numbers are BigNumbers of 64 significant digits: an agent asks a calculator so that arithmetic
// is exact, and binary floating point is not (123456789 * 987654321 + 1 would lose its last digits).
const precision = 64;

/** The calculator's mathjs instance, and what it evaluates with. */
interface MathJs {
  math: MathJsInstance;
  evaluate: (expression: string) => unknown;
  /** Beyond this, an integer has more digits than the precision holds: its last ones are not exact. */
  largestExact: BigNumber;
}

let loaded: Promise<MathJs> | undefined;

/**
 * A mathjs instance with the functions that could reach outside an expression switched off,
 * as mathjs's own security guidance recommends: no `import`, `createUnit`, nested `evaluate` or
 * `parse`. Expressions are parsed by mathjs, never by `eval`. Loaded on the first calculation:
 * mathjs holds some 130 MB, which a worker that never calculates should not carry.
 */
function loadMathJs(): Promise<MathJs> {
  loaded ??= import('mathjs').then(({ all, create }) => {
    // mathjs types `all` as possibly undefined; at run time it is the full factory map.
    const math = create(all as FactoryFunctionMap, { number: 'BigNumber', precision });
    const evaluate = math.evaluate.bind(math);
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
    return { math, evaluate, largestExact: math.bignumber(`1e${precision}`) };
  });
  return loaded;
}

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
function formatValue({ math, largestExact }: MathJs, value: unknown, expression: string): string {
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
  async execute({ expression }) {
    const mathJs = await loadMathJs();
    let value: unknown;
    try {
      value = mathJs.evaluate(expression);
    } catch (error) {
      throw new ToolInputError(`cannot evaluate "${expression}": ${(error as Error).message}`);
    }
    if (typeof value === 'function' || value === undefined) {
      throw new ToolInputError(`"${expression}" is not an expression with a value`);
    }
    return formatValue(mathJs, value, expression);
  },
});
