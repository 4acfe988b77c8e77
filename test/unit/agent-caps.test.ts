import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunCapsSchema, CapsRaiseSchema, type RunCaps, type RunTotals } from '../../common/run-contract.js';
import { applyRaise, checkRaise, findExhaustedCap } from '../../workflows/lib/caps.js';
import { emptyTotals } from '../../common/run-totals.js';

const caps: RunCaps = { maxIterations: 3, maxTotalTokens: 1_000, maxCostUsd: 0.5, maxWallTimeMs: 60_000 };
const totals = (fields: Partial<RunTotals>): RunTotals => ({ ...emptyTotals, ...fields });
const fresh = { iterations: 0, totals: emptyTotals, elapsedMs: 0 };

void describe('findExhaustedCap', () => {
  void it('lets the next call go while every cap has room', () => {
    assert.equal(findExhaustedCap(caps, fresh), undefined);
    assert.equal(
      findExhaustedCap(caps, {
        iterations: 2,
        totals: totals({ totalTokens: 999, costUsd: 0.499 }),
        elapsedMs: 59_999,
      }),
      undefined,
    );
  });

  void it('stops on each cap once it is reached, not only when it is passed', () => {
    assert.deepEqual(findExhaustedCap(caps, { ...fresh, elapsedMs: 60_000 }), {
      stopReason: 'deadline',
      detail: 'wall time 60000 ms reached the cap of 60000 ms',
    });
    assert.deepEqual(findExhaustedCap(caps, { ...fresh, iterations: 3 }), {
      stopReason: 'iteration_limit',
      detail: '3 model calls reached the cap of 3',
    });
    assert.deepEqual(findExhaustedCap(caps, { ...fresh, totals: totals({ totalTokens: 1_000 }) }), {
      stopReason: 'budget_exhausted',
      detail: '1000 tokens reached the cap of 1000',
    });
    assert.deepEqual(findExhaustedCap(caps, { ...fresh, totals: totals({ costUsd: 0.75 }) }), {
      stopReason: 'budget_exhausted',
      detail: '$0.750000 reached the cap of $0.5',
    });
  });

  void it('reports the deadline first, then iterations, then tokens, then cost', () => {
    const everything = {
      iterations: 9,
      totals: totals({ totalTokens: 5_000, costUsd: 9 }),
      elapsedMs: 99_000,
    };
    assert.equal(findExhaustedCap(caps, everything)?.stopReason, 'deadline');
    assert.equal(findExhaustedCap(caps, { ...everything, elapsedMs: 0 })?.stopReason, 'iteration_limit');
    assert.match(
      findExhaustedCap(caps, { ...everything, elapsedMs: 0, iterations: 0 })?.detail ?? '',
      /tokens/,
    );
    assert.match(
      findExhaustedCap(caps, { ...everything, elapsedMs: 0, iterations: 0, totals: totals({ costUsd: 9 }) })
        ?.detail ?? '',
      /^\$9\.000000 reached the cap of \$0\.5$/,
    );
  });
});

void describe('checkRaise', () => {
  void it('accepts raises and caps kept at their value', () => {
    assert.equal(checkRaise(caps, { maxIterations: 5 }), undefined);
    assert.equal(checkRaise(caps, { maxIterations: 3, maxCostUsd: 2 }), undefined);
    assert.equal(checkRaise(caps, { maxTotalTokens: 1_000 }), undefined);
  });

  void it('refuses to lower any cap and names each lowered one with its current value', () => {
    assert.equal(checkRaise(caps, { maxIterations: 2 }), 'a raise cannot lower caps: maxIterations is 3');
    assert.equal(
      checkRaise(caps, { maxIterations: 10, maxCostUsd: 0.1, maxWallTimeMs: 1 }),
      'a raise cannot lower caps: maxCostUsd is 0.5, maxWallTimeMs is 60000',
    );
  });

  void it('refuses a raise that names no cap', () => {
    assert.equal(checkRaise(caps, {}), 'the raise names no cap');
    assert.equal(checkRaise(caps, { maxIterations: undefined }), 'the raise names no cap');
  });
});

void describe('applyRaise', () => {
  void it('replaces the named caps and keeps the others', () => {
    assert.deepEqual(applyRaise(caps, { maxIterations: 7 }), { ...caps, maxIterations: 7 });
    assert.deepEqual(applyRaise(caps, { maxTotalTokens: 2_000, maxWallTimeMs: 120_000 }), {
      ...caps,
      maxTotalTokens: 2_000,
      maxWallTimeMs: 120_000,
    });
    assert.deepEqual(applyRaise(caps, {}), caps);
  });

  void it('does not change the caps it was given', () => {
    const before = { ...caps };
    applyRaise(caps, { maxCostUsd: 3 });
    assert.deepEqual(caps, before);
  });

  void it('returns exactly the four cap fields, valid by the schema', () => {
    const raised = applyRaise(RunCapsSchema.parse({}), { maxCostUsd: 5 });
    assert.deepEqual(Object.keys(raised).sort(), [
      'maxCostUsd',
      'maxIterations',
      'maxTotalTokens',
      'maxWallTimeMs',
    ]);
    assert.deepEqual(RunCapsSchema.parse(raised), raised);
  });
});

void describe('CapsRaiseSchema', () => {
  void it('keeps only the caps a raise names: no defaults are filled in', () => {
    assert.deepEqual(CapsRaiseSchema.parse({}), {});
    assert.deepEqual(CapsRaiseSchema.parse({ maxIterations: 5 }), { maxIterations: 5 });
  });

  void it('so a raise of one cap is checked against that cap only', () => {
    const high: RunCaps = {
      maxIterations: 1,
      maxTotalTokens: 1_000_000,
      maxCostUsd: 50,
      maxWallTimeMs: 3_600_000,
    };
    assert.equal(checkRaise(high, CapsRaiseSchema.parse({ maxIterations: 2 })), undefined);
    assert.equal(checkRaise(high, CapsRaiseSchema.parse({})), 'the raise names no cap');
  });

  void it('applies the bounds of each cap', () => {
    for (const raise of [
      { maxIterations: 0 },
      { maxIterations: 1.5 },
      { maxIterations: 10_001 },
      { maxCostUsd: -1 },
      { maxTotalTokens: '5' },
    ]) {
      assert.equal(CapsRaiseSchema.safeParse(raise).success, false, JSON.stringify(raise));
    }
  });
});
