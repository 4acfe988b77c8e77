import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunTotals } from '../../common/run-contract.js';
import { emptyUsage } from '../../common/chat.js';
import { summarizeCosts } from '../../client/cost-summary.js';

const totals = (costUsd: number, modelCalls: number, cacheHits = 0, cacheSavedUsd = 0): RunTotals => ({
  usage: emptyUsage,
  totalTokens: modelCalls * 100,
  costUsd,
  costComplete: true,
  modelCalls,
  toolCalls: 0,
  cacheHits,
  cacheSavedUsd,
});

void describe('summarizeCosts', () => {
  void it('adds spend up by day, workflow type and model, with cache savings', () => {
    const summary = summarizeCosts([
      {
        day: '2026-11-28',
        workflowType: 'nl2sqlWorkflow',
        model: 'openai:gpt-4o-mini',
        totals: totals(0.01, 2),
      },
      {
        day: '2026-11-29',
        workflowType: 'reactAgentWorkflow',
        model: 'smart',
        totals: totals(0.03, 3, 1, 0.02),
        calls: [
          { model: 'gpt-4o', costUsd: 0, tokens: 100, cached: true, cacheSavedUsd: 0.02 },
          { model: 'gpt-4o', costUsd: 0.01, tokens: 100, cached: false, cacheSavedUsd: 0 },
          { model: 'claude-sonnet-4-5', costUsd: 0.02, tokens: 100, cached: false, cacheSavedUsd: 0 },
        ],
      },
    ]);
    assert.deepEqual(summary.total, {
      key: 'total',
      runs: 2,
      modelCalls: 5,
      tokens: 500,
      costUsd: 0.04,
      cacheHits: 1,
      cacheSavedUsd: 0.02,
    });
    assert.deepEqual(
      summary.byDay.map((row) => [row.key, row.runs, row.costUsd]),
      [
        ['2026-11-28', 1, 0.01],
        ['2026-11-29', 1, 0.03],
      ],
    );
    assert.deepEqual(
      summary.byWorkflowType.map((row) => row.key),
      ['reactAgentWorkflow', 'nl2sqlWorkflow'],
    );
    assert.deepEqual(
      summary.byModel.map((row) => [row.key, row.runs, row.modelCalls, row.costUsd, row.cacheHits]),
      [
        ['claude-sonnet-4-5', 1, 1, 0.02, 0],
        ['gpt-4o', 1, 2, 0.01, 1],
        ['openai:gpt-4o-mini', 1, 2, 0.01, 0],
      ],
    );
  });
});
