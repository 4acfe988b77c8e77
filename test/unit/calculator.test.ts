import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calculator } from '../../activities/tools/calculator.js';
import { ToolInputError } from '../../activities/tools/tool.js';
import { toToolSpec } from '../../activities/tools/tool-registry.js';

const context = {
  signal: new AbortController().signal,
  idempotencyKey: 'test/1',
  boundary: '0123456789ab',
  spend: () => {},
};
// async: execute throws synchronously for bad input; runTool awaits it inside a try either way.
const evaluate = async (expression: string) => calculator.execute({ expression }, context);

async function rejectsAsInput(expression: string, message: RegExp): Promise<void> {
  await assert.rejects(evaluate(expression), (error: unknown) => {
    assert.ok(error instanceof ToolInputError, `${expression}: ${String(error)}`);
    assert.match(error.message, message);
    return true;
  });
}

void describe('calculator tool', () => {
  void it('evaluates arithmetic exactly enough for the model', async () => {
    assert.equal(await evaluate('0.175 * 2340 + sqrt(144)'), '421.5');
    assert.equal(await evaluate('2^10'), '1024');
    assert.equal(await evaluate('10 % 3'), '1');
    assert.equal(await evaluate('(1 + 2) * 3 - 4 / 8'), '8.5');
    assert.equal(await evaluate('round(pi, 4)'), '3.1416');
    // Decimal arithmetic, not binary floating point: no noise to round away.
    assert.equal(await evaluate('0.1 + 0.2'), '0.3');
  });

  void it('is exact for big integers and decimals, in plain decimal notation', async () => {
    // Binary floating point gave 1.2193263111264e+17 (off by 4,730) and 7.006743e+6.
    assert.equal(await evaluate('123456789 * 987654321 + 1'), '121932631112635270');
    assert.equal(await evaluate('1234 * 5678 + 91'), '7006743');
    assert.equal(await evaluate('2^100'), '1267650600228229401496703205376');
    assert.equal(await evaluate('0.000001 * 3'), '0.000003');
    assert.equal(await evaluate('19.99 * 3 - 0.01'), '59.96');
    assert.equal(await evaluate('17.5% * 2340'), '409.5');
  });

  void it('rounds only what does not end, and says when a number is beyond its digits', async () => {
    assert.equal(await evaluate('1/3'), '0.333333333333333');
    assert.equal(await evaluate('sqrt(2)'), '1.4142135623731');
    assert.equal(await evaluate('sin(30 deg)'), '0.5');
    assert.equal(await evaluate('100!'), '9.33262154439442e+157');
  });

  void it('converts units', async () => {
    assert.equal(await evaluate('5 km to mi'), '3.1068559611867 mi');
    assert.equal(await evaluate('2 inch to cm'), '5.08 cm');
  });

  void it('refuses the functions that reach outside an expression', async () => {
    await rejectsAsInput('import({x: 1}, {})', /import is disabled/);
    await rejectsAsInput('evaluate("1+1")', /evaluate is disabled/);
    await rejectsAsInput('parse("1+1")', /parse is disabled/);
    await rejectsAsInput('createUnit("foo")', /createUnit is disabled/);
    await rejectsAsInput('simplify("x + x")', /simplify is disabled/);
    // Still usable in the next call: disabling did not break the instance.
    assert.equal(await evaluate('1 + 1'), '2');
  });

  void it('refuses values that are not finite', async () => {
    await rejectsAsInput('1/0', /no finite value \(Infinity\)/);
    await rejectsAsInput('Infinity', /no finite value/);
    await rejectsAsInput('-1/0', /no finite value \(-Infinity\)/);
    await rejectsAsInput('0/0', /no finite value \(NaN\)/);
  });

  void it('tells the model when it cannot evaluate an expression', async () => {
    await rejectsAsInput('1 +', /^cannot evaluate "1 \+": /);
    await rejectsAsInput('foo(3)', /cannot evaluate "foo\(3\)"/);
    await rejectsAsInput('f(x) = x^2', /is not an expression with a value/);
  });

  void it('accepts 1 to 500 characters of expression, by its input schema', () => {
    assert.equal(calculator.inputSchema.safeParse({ expression: '1' }).success, true);
    assert.equal(calculator.inputSchema.safeParse({ expression: '1'.repeat(500) }).success, true);
    assert.equal(calculator.inputSchema.safeParse({ expression: '' }).success, false);
    assert.equal(calculator.inputSchema.safeParse({ expression: '1'.repeat(501) }).success, false);
    assert.equal(calculator.inputSchema.safeParse({ expr: '1+1' }).success, false);
    assert.equal(calculator.inputSchema.safeParse({ expression: 12 }).success, false);
  });

  void it('shows the model a JSON Schema that requires the expression', () => {
    const spec = toToolSpec(calculator);
    assert.equal(spec.name, 'calculator');
    assert.equal(spec.parameters.type, 'object');
    assert.deepEqual(spec.parameters.required, ['expression']);
    assert.equal(spec.parameters.$schema, undefined);
  });
});
