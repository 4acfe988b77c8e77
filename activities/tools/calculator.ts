import { all, create, type FactoryFunctionMap } from 'mathjs';
import { z } from 'zod';
import { defineTool, ToolInputError } from './tool.js';

/**
 * A mathjs instance with the functions that could reach outside an expression switched off,
 * as mathjs's own security guidance recommends: no `import`, `createUnit`, nested `evaluate` or
 * `parse`. Expressions are parsed by mathjs, never by `eval`.
 */
// mathjs types `all` as possibly undefined; at run time it is the full factory map.
const math = create(all as FactoryFunctionMap);
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
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new ToolInputError(`"${expression}" has no finite value (${String(value)})`);
    }
    return Promise.resolve(math.format(value, { precision: 14 }));
  },
});
