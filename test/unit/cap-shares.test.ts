import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunTotals } from '../../common/run-contract.js';
import { CapShares } from '../../workflows/analysis/cap-shares.js';
import { emptyTotals } from '../../common/run-totals.js';

const caps = { maxIterations: 100, maxTotalTokens: 10_000, maxCostUsd: 1, maxWallTimeMs: 60_000 };
const used = (costUsd: number, modelCalls = 1): RunTotals => ({
  ...emptyTotals,
  costUsd,
  modelCalls,
  totalTokens: 10,
});
const take = (shares: CapShares, sharers: number) => {
  const share = shares.take(sharers);
  assert.ok('caps' in share, JSON.stringify(share));
  return share.caps;
};

void describe('CapShares', () => {
  void it('never promises children in flight more than the fraction of the caps', () => {
    const shares = new CapShares(caps, 0.8, Date.now());
    const first = take(shares, 4);
    const second = take(shares, 3);
    const third = take(shares, 2);
    const fourth = take(shares, 1);
    const promised = [first, second, third, fourth].reduce((sum, share) => sum + share.maxCostUsd, 0);
    assert.ok(Math.abs(promised - 0.8) < 1e-12, `promised $${promised}`);
    assert.equal(first.maxCostUsd, 0.2);
    assert.equal(first.maxIterations, 20);
    assert.ok([first, second, third, fourth].reduce((sum, share) => sum + share.maxIterations, 0) <= 80);
  });

  void it('gives back what a child did not use, and stops when the spent part reaches the limit', () => {
    const shares = new CapShares(caps, 0.5, Date.now());
    const first = take(shares, 1);
    assert.equal(first.maxCostUsd, 0.5);
    shares.settle(first, used(0.1));
    assert.equal(take(shares, 1).maxCostUsd, 0.4);
    const fresh = new CapShares(caps, 0.5, Date.now());
    fresh.settle(take(fresh, 1), used(0.5));
    const stop = fresh.take(1);
    assert.ok('stop' in stop && stop.stop.stopReason === 'budget_exhausted', JSON.stringify(stop));
    assert.equal(fresh.totals.costUsd, 0.5);
  });

  void it('counts a child whose use is unknown as having spent its whole share', () => {
    const shares = new CapShares(caps, 1, Date.now());
    const share = take(shares, 2);
    shares.settle(share, undefined);
    assert.equal(shares.totals.costUsd, 0.5);
    assert.equal(shares.totals.costComplete, false);
  });
});
