import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admitQueued, ledgerSnapshot, reserve, settle } from '../../workflows/budget-ledger/ledger-book.js';
import { newLedgerState, SharedBudgetSchema } from '../../common/shared-budget.js';

const budget = SharedBudgetSchema.parse({ scope: 'tenant:acme', limitUsd: 1, softLimitShare: 0.5 });
const monday = Date.parse('2026-11-30T23:59:00Z');
const tuesday = Date.parse('2026-12-01T00:01:00Z');

void describe('the budget ledger book', () => {
  void it('grants while spent + reserved stays within the limit, then answers busy, then refuses', () => {
    const state = newLedgerState(budget, monday);
    assert.equal(reserve(state, { reservationId: 'a', amountUsd: 0.6, budget }, monday).granted, true);
    const busy = reserve(state, { reservationId: 'b', amountUsd: 0.6, budget }, monday);
    assert.ok(!busy.granted && busy.busy, 'a is in flight: ask again');
    settle(state, { reservationId: 'a', actualUsd: 0.3 }, monday);
    const granted = reserve(state, { reservationId: 'b', amountUsd: 0.6, budget }, monday);
    assert.ok(granted.granted && !granted.downgrade, 'granted, below the soft half');
    settle(state, { reservationId: 'b', actualUsd: 0.6 }, monday);
    const refused = reserve(state, { reservationId: 'c', amountUsd: 0.2, budget }, monday);
    assert.ok(!refused.granted && !refused.busy);
    assert.match(refused.reason, /budget tenant:acme \(\$1 a day\): \$0\.900000 spent leaves too little/);
    const small = reserve(state, { reservationId: 'd', amountUsd: 0.05, budget }, monday);
    assert.ok(small.granted && small.downgrade, 'granted, past the soft half: a cheaper model from now on');
    settle(state, { reservationId: 'd', actualUsd: 0 }, monday);
    assert.deepEqual(ledgerSnapshot(state, monday), {
      scope: 'tenant:acme',
      limitUsd: 1,
      period: 'day',
      periodKey: '2026-11-30',
      spentUsd: 0.8999999999999999,
      reservedUsd: 0,
      reservations: 0,
    });
  });

  void it('queues waiters in order and answers them as settlements free room', () => {
    const state = newLedgerState(budget, monday);
    assert.equal(reserve(state, { reservationId: 'a', amountUsd: 0.6, budget }, monday).granted, true);
    const b = reserve(state, { reservationId: 'b', amountUsd: 0.5, budget, waiter: 'run-b' }, monday);
    assert.ok(!b.granted && b.busy && b.queued, 'a holds 0.6: b waits, queued');
    const c = reserve(state, { reservationId: 'c', amountUsd: 0.1, budget, waiter: 'run-c' }, monday);
    assert.ok(!c.granted && c.queued, 'c queues behind b, though it would fit');
    assert.deepEqual(admitQueued(state, monday), [], 'nothing settled: nobody is answered');
    settle(state, { reservationId: 'a', actualUsd: 0.5 }, monday);
    assert.deepEqual(
      admitQueued(state, monday),
      [{ waiter: 'run-b', grant: { reservationId: 'b', granted: true, downgrade: true } }],
      'b takes the room; c, behind it, still waits',
    );
    // A retried reserve of an answered reservation gets the answer.
    assert.equal(
      reserve(state, { reservationId: 'b', amountUsd: 0.5, budget, waiter: 'run-b' }, monday).granted,
      true,
    );
    settle(state, { reservationId: 'b', actualUsd: 0.3 }, monday);
    assert.deepEqual(admitQueued(state, monday), [
      { waiter: 'run-c', grant: { reservationId: 'c', granted: true, downgrade: true } },
    ]);
    const d = reserve(state, { reservationId: 'd', amountUsd: 0.15, budget, waiter: 'run-d' }, monday);
    assert.ok(!d.granted && d.queued, 'c holds 0.1 of the 0.2 left');
    settle(state, { reservationId: 'c', actualUsd: 0.1 }, monday);
    const [answer] = admitQueued(state, monday);
    assert.equal(answer?.grant.granted, false, 'what was spent leaves no room for d: refused');
    assert.match(
      answer?.grant.granted === false ? answer.grant.reason : '',
      /\$0\.900000 spent leaves too little/,
    );
    assert.equal(ledgerSnapshot(state, monday).reservations, 0);
  });

  void it('takes a queued reservation out of the queue when its run stops waiting', () => {
    const state = newLedgerState(budget, monday);
    reserve(state, { reservationId: 'a', amountUsd: 0.9, budget }, monday);
    reserve(state, { reservationId: 'b', amountUsd: 0.5, budget, waiter: 'run-b' }, monday);
    settle(state, { reservationId: 'b', actualUsd: 0 }, monday);
    settle(state, { reservationId: 'a', actualUsd: 0.1 }, monday);
    assert.deepEqual(admitQueued(state, monday), []);
    assert.equal(ledgerSnapshot(state, monday).spentUsd, 0.1);
  });

  void it('gives a repeated reservation the first answer and ignores a repeated settlement', () => {
    const state = newLedgerState(budget, monday);
    reserve(state, { reservationId: 'a', amountUsd: 0.4, budget }, monday);
    assert.equal(reserve(state, { reservationId: 'a', amountUsd: 0.4, budget }, monday).granted, true);
    assert.equal(ledgerSnapshot(state, monday).reservedUsd, 0.4, 'reserved once');
    settle(state, { reservationId: 'a', actualUsd: 0.1 }, monday);
    settle(state, { reservationId: 'a', actualUsd: 0.1 }, monday);
    assert.equal(ledgerSnapshot(state, monday).spentUsd, 0.1);
  });

  void it('starts a new day with nothing spent, keeping the calls in flight', () => {
    const state = newLedgerState(budget, monday);
    reserve(state, { reservationId: 'a', amountUsd: 0.5, budget }, monday);
    settle(state, { reservationId: 'a', actualUsd: 0.5 }, monday);
    reserve(state, { reservationId: 'b', amountUsd: 0.4, budget }, monday);
    assert.equal(ledgerSnapshot(state, tuesday).spentUsd, 0, 'a query sees the new day');
    assert.equal(state.spentUsd, 0.5, 'without changing the ledger');
    assert.equal(reserve(state, { reservationId: 'c', amountUsd: 0.6, budget }, tuesday).granted, true);
    const snapshot = settle(state, { reservationId: 'b', actualUsd: 0.4 }, tuesday);
    assert.equal(snapshot.periodKey, '2026-12-01');
    assert.equal(snapshot.spentUsd, 0.4, "yesterday's call settles into today");
    const total = SharedBudgetSchema.parse({ scope: 'tenant:acme', limitUsd: 1, period: 'total' });
    const lifetime = newLedgerState(total, monday);
    reserve(lifetime, { reservationId: 'a', amountUsd: 0.5, budget: total }, monday);
    settle(lifetime, { reservationId: 'a', actualUsd: 0.5 }, monday);
    assert.equal(ledgerSnapshot(lifetime, tuesday).spentUsd, 0.5, 'a total budget never resets');
  });
});
