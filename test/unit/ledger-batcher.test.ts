import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LedgerBatcher } from '../../activities/budget/ledger-batcher.js';
import {
  SharedBudgetSchema,
  type LedgerBatch,
  type LedgerBatchResult,
  type LedgerSnapshot,
} from '../../common/shared-budget.js';

const budget = (scope: string) => SharedBudgetSchema.parse({ scope, limitUsd: 1 });
const snapshot = (scope: string): LedgerSnapshot => ({
  scope,
  limitUsd: 1,
  period: 'day',
  periodKey: '2026-12-06',
  spentUsd: 0,
  reservedUsd: 0,
  reservations: 0,
});

/** A ledger that answers every batch after `delayMs`, granting every reservation; records the batches. */
function fakeLedger(delayMs: number) {
  const sent: { scope: string; batch: LedgerBatch }[] = [];
  let inFlight = 0;
  let most = 0;
  const send = async (sharedBudget: { scope: string }, batch: LedgerBatch): Promise<LedgerBatchResult> => {
    sent.push({ scope: sharedBudget.scope, batch });
    inFlight += 1;
    most = Math.max(most, inFlight);
    await sleep(delayMs);
    inFlight -= 1;
    return {
      settles: batch.settles.map(() => snapshot(sharedBudget.scope)),
      reserves: batch.reserves.map(() => ({
        granted: true,
        downgrade: false,
        ledger: snapshot(sharedBudget.scope),
      })),
    };
  };
  return { sent, send, most: () => most };
}

void describe('ledger batcher', () => {
  void it('keeps one batch in flight per ledger and gathers what arrives meanwhile', async () => {
    const ledger = fakeLedger(20);
    const batcher = new LedgerBatcher(ledger.send);
    const scope = budget('tenant:a');
    const answers = await Promise.all([
      ...Array.from({ length: 30 }, (_, index) =>
        batcher.reserve(scope, { reservationId: `r${index}`, amountUsd: 0.01, budget: scope }),
      ),
      batcher.settle(scope, { reservationId: 'r0', actualUsd: 0.005 }),
    ]);
    assert.equal(answers.length, 31);
    assert.equal(ledger.most(), 1, 'one batch in flight at a time');
    // The first request went alone; all that came while it was out went in the next batch.
    assert.deepEqual(
      ledger.sent.map(({ batch }) => [batch.reserves.length, batch.settles.length]),
      [
        [1, 0],
        [29, 1],
      ],
    );
  });

  void it('keeps ledgers apart, and fails every request of a failed batch', async () => {
    let calls = 0;
    const batcher = new LedgerBatcher(async (sharedBudget, batch) => {
      calls += 1;
      await sleep(5);
      if (sharedBudget.scope === 'tenant:broken') throw new Error('ledger unreachable');
      return {
        settles: [],
        reserves: batch.reserves.map(() => ({ granted: true, downgrade: false, ledger: snapshot('x') })),
      };
    });
    const broken = budget('tenant:broken');
    const fine = budget('tenant:fine');
    const results = await Promise.allSettled([
      batcher.reserve(broken, { reservationId: 'a', amountUsd: 0.1, budget: broken }),
      batcher.reserve(fine, { reservationId: 'b', amountUsd: 0.1, budget: fine }),
    ]);
    assert.equal(calls, 2, 'the two ledgers were asked at once');
    assert.equal(results[0].status, 'rejected');
    assert.match(String(results[0].reason), /ledger unreachable/);
    assert.equal(results[1].status, 'fulfilled');
    // After a failure the ledger is asked again for what comes next.
    await assert.rejects(batcher.reserve(broken, { reservationId: 'c', amountUsd: 0.1, budget: broken }));
    assert.equal(calls, 3);
  });
});
