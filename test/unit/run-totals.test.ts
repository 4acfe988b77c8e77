import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyUsage, type Usage } from '../../common/chat.js';
import { addModelCall, emptyTotals } from '../../common/run-totals.js';

const usage = (fields: Partial<Usage>): Usage => ({ ...emptyUsage, ...fields });

void describe('run totals', () => {
  void it('start at zero with a complete cost', () => {
    assert.deepEqual(emptyTotals, {
      usage: usage({}),
      totalTokens: 0,
      costUsd: 0,
      costComplete: true,
      modelCalls: 0,
      toolCalls: 0,
      cacheHits: 0,
      cacheSavedUsd: 0,
    });
  });

  void it('add up usage, tokens, cost and calls over several model calls', () => {
    const first = addModelCall(
      emptyTotals,
      usage({ inputTokens: 100, outputTokens: 20, cachedInputTokens: 40, reasoningTokens: 5 }),
      0.25,
    );
    const second = addModelCall(
      first,
      usage({ inputTokens: 150, outputTokens: 10, cachedInputTokens: 10 }),
      0.5,
    );
    assert.deepEqual(second.usage, {
      inputTokens: 250,
      outputTokens: 30,
      cachedInputTokens: 50,
      reasoningTokens: 5,
    });
    // Cached and reasoning tokens are already inside input and output: not counted twice.
    assert.equal(second.totalTokens, 280);
    assert.equal(second.costUsd, 0.75);
    assert.equal(second.costComplete, true);
    assert.equal(second.modelCalls, 2);
    assert.equal(second.toolCalls, 0);
  });

  void it('mark the cost as a lower bound once a call has no known price, and keep it so', () => {
    const priced = addModelCall(emptyTotals, usage({ inputTokens: 10, outputTokens: 1 }), 0.01);
    const unpriced = addModelCall(priced, usage({ inputTokens: 10, outputTokens: 1 }), null);
    assert.equal(unpriced.costComplete, false);
    assert.equal(unpriced.costUsd, 0.01);
    const pricedAgain = addModelCall(unpriced, usage({ inputTokens: 10, outputTokens: 1 }), 0.02);
    assert.equal(pricedAgain.costComplete, false);
    assert.ok(Math.abs(pricedAgain.costUsd - 0.03) < 1e-12);
    assert.equal(pricedAgain.totalTokens, 33);
  });

  void it('count cache hits and the cost they saved, at no cost of their own', () => {
    const hit = addModelCall(emptyTotals, usage({ inputTokens: 100, outputTokens: 5 }), 0, {
      savedUsd: 0.02,
    });
    const unknown = addModelCall(hit, usage({ inputTokens: 100, outputTokens: 5 }), 0, { savedUsd: null });
    const paid = addModelCall(unknown, usage({ inputTokens: 100, outputTokens: 5 }), 0.02);
    assert.equal(paid.cacheHits, 2);
    assert.equal(paid.cacheSavedUsd, 0.02);
    assert.equal(paid.costUsd, 0.02);
    assert.equal(paid.modelCalls, 3);
  });

  void it('keep tool calls and never change the totals they are given', () => {
    const withTools = { ...emptyTotals, toolCalls: 4 };
    const next = addModelCall(withTools, usage({ inputTokens: 1, outputTokens: 1 }), 0);
    assert.equal(next.toolCalls, 4);
    assert.equal(withTools.modelCalls, 0);
    assert.equal(emptyTotals.totalTokens, 0);
    assert.deepEqual(emptyTotals.usage, usage({}));
  });
});
