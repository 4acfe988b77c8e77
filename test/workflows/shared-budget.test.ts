import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtInModelCatalogFile, loadModelCatalog } from '../../activities/llm/load-model-catalog.js';
import type { AgentRequest, AgentResult } from '../../common/agent.js';
import { priceOf } from '../../common/model-catalog.js';
import { computeCostUsd } from '../../common/pricing.js';
import {
  ledgerWorkflowId,
  type LedgerSnapshot,
  type SharedBudgetRequest,
} from '../../common/shared-budget.js';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';
import { budgetLedgerQuery } from '../../common/messages.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import type { reactAgentWorkflow } from '../../workflows/agent.js';
import { quickRetry } from './agent-harness.js';

const policiesFile = fileURLToPath(new URL('../fixtures/guards/policies.yaml', import.meta.url));

const catalog = loadModelCatalog(builtInModelCatalogFile);
const costOf = (model: string, inputTokens: number, outputTokens: number): number =>
  computeCostUsd(
    { inputTokens, outputTokens, cachedInputTokens: 0, reasoningTokens: 0 },
    priceOf(catalog, model),
  )!;

/** A calculator call, then an answer; every reply reports the given usage. */
const calculatorScript = (usage: { inputTokens: number; outputTokens: number }): FakeLlmScript => ({
  rules: [
    {
      match: { step: 0 },
      reply: { toolCalls: [{ name: 'calculator', arguments: { expression: '6 * 7' } }], usage },
    },
    { reply: { text: 'It is {{lastToolResult}}.', usage } },
  ],
});

void describe('shared budgets', () => {
  const testbed = useAgentTestbed({ workerEnv: () => ({ LLMOS_POLICIES_FILE: policiesFile }) });
  const run = (budget: SharedBudgetRequest, request: Partial<AgentRequest> = {}): Promise<AgentResult> =>
    testbed.temporal.env.client.workflow.execute('reactAgentWorkflow', {
      args: [
        { question: 'What is 6 * 7?', model: 'openai:gpt-4o-mini', retry: quickRetry, budget, ...request },
      ],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `budget-${crypto.randomUUID()}`,
    });
  const ledger = (scope: string): Promise<LedgerSnapshot> =>
    testbed.temporal.env.client.workflow.getHandle(ledgerWorkflowId(scope)).query(budgetLedgerQuery);

  void it('20 runs in parallel against one small budget never spend more than it', async (t) => {
    const usage = { inputTokens: 60, outputTokens: 20 };
    testbed.fake.setScript(calculatorScript(usage));
    const budget = { scope: `tenant:parallel-${crypto.randomUUID()}`, limitUsd: 0.0006 };
    // A small token cap keeps each call's worst case (its whole output allowance) small.
    const results = await Promise.all(
      Array.from({ length: 20 }, () => run(budget, { caps: { maxTotalTokens: 400 } })),
    );

    const spentAtTheProvider = testbed.fake.requests.length * costOf('openai:gpt-4o-mini', 60, 20);
    assert.ok(spentAtTheProvider <= budget.limitUsd, `$${spentAtTheProvider} spent of $${budget.limitUsd}`);
    const refused = results.filter((result) => result.stopReason === 'budget_exhausted');
    assert.ok(refused.length > 0, 'the budget ran out before all 20 runs finished');
    assert.ok(results.some((result) => result.stopReason === 'answer'));
    for (const result of refused) assert.equal(result.error?.type, 'BudgetExceeded');
    assert.match(refused[0]!.stopDetail, /budget tenant:parallel-.*spent leaves too little/);

    t.diagnostic(
      `${results.length - refused.length} runs answered, ${refused.length} refused; ` +
        `${testbed.fake.requests.length} model calls, $${spentAtTheProvider.toFixed(6)} of $${budget.limitUsd}`,
    );
    const state = await ledger(budget.scope);
    assert.equal(state.reservations, 0, 'every reservation was settled');
    assert.ok(Math.abs(state.spentUsd - spentAtTheProvider) < 1e-12, `ledger $${state.spentUsd}`);
  });

  void it('100 runs at once on one scope: every update taken, nothing spent past the limit', async (t) => {
    const usage = { inputTokens: 60, outputTokens: 20 };
    testbed.fake.setScript(calculatorScript(usage));
    // Room for a few calls' worst cases at once, and for about half of the runs' real spend.
    const budget = { scope: `tenant:hundred-${crypto.randomUUID()}`, limitUsd: 0.002 };
    const handles = await Promise.all(
      Array.from({ length: 100 }, () =>
        testbed.temporal.env.client.workflow.start<typeof reactAgentWorkflow>('reactAgentWorkflow', {
          args: [
            {
              question: 'What is 6 * 7?',
              model: 'openai:gpt-4o-mini',
              retry: quickRetry,
              budget,
              caps: { maxTotalTokens: 400 },
            },
          ],
          taskQueue: testbed.worker.taskQueue,
          workflowId: `budget-hundred-${crypto.randomUUID()}`,
        }),
      ),
    );
    const results = await Promise.all(handles.map((handle) => handle.result()));

    const spentAtTheProvider = testbed.fake.requests.length * costOf('openai:gpt-4o-mini', 60, 20);
    assert.ok(spentAtTheProvider <= budget.limitUsd, `$${spentAtTheProvider} spent of $${budget.limitUsd}`);
    const answered = results.filter((result) => result.stopReason === 'answer').length;
    const refused = results.filter((result) => result.stopReason === 'budget_exhausted').length;
    assert.equal(answered + refused, 100, 'every run answered or was refused by the budget');
    assert.ok(answered > 0 && refused > 0, `${answered} answered, ${refused} refused`);
    const state = await ledger(budget.scope);
    assert.equal(state.reservations, 0, 'every reservation was settled');
    assert.ok(Math.abs(state.spentUsd - spentAtTheProvider) < 1e-12, `ledger $${state.spentUsd}`);

    // No update was refused (a refused one fails its activity, which Temporal retries), and no run
    // asked twice for one call: a busy budget queues the reservation and signals the run.
    let queued = 0;
    let budgetCalls = 0;
    for (const handle of handles) {
      const events = (await handle.fetchHistory()).events ?? [];
      const budgetActivities = new Set(
        events.flatMap((event) => {
          const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
          return name === 'reserveModelCall' || name === 'settleModelCall' ? [String(event.eventId)] : [];
        }),
      );
      const failed = events.filter((event) =>
        budgetActivities.has(String(event.activityTaskFailedEventAttributes?.scheduledEventId)),
      );
      const retried = events.filter(
        (event) =>
          budgetActivities.has(String(event.activityTaskStartedEventAttributes?.scheduledEventId)) &&
          (event.activityTaskStartedEventAttributes?.attempt ?? 1) > 1,
      );
      assert.deepEqual(
        [failed.length, retried.length],
        [0, 0],
        `${handle.workflowId}: a budget update failed`,
      );
      budgetCalls += budgetActivities.size;
      const reserves = events.filter(
        (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'reserveModelCall',
      ).length;
      const calls = events.filter(
        (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'callChatModel',
      ).length;
      assert.ok(reserves <= calls + 1, `${handle.workflowId}: ${reserves} reservations for ${calls} calls`);
      if (
        events.some((event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'budgetGrant')
      )
        queued += 1;
    }
    assert.ok(queued > 0, 'some runs waited in the queue');
    // The worker sent what its runs asked at once in batches: fewer updates than requests.
    const ledgerEvents =
      (await testbed.temporal.env.client.workflow.getHandle(ledgerWorkflowId(budget.scope)).fetchHistory())
        .events ?? [];
    const updates = ledgerEvents.filter(
      (event) => event.workflowExecutionUpdateAcceptedEventAttributes,
    ).length;
    assert.ok(
      updates < budgetCalls,
      `${updates} ledger updates for ${budgetCalls} reservations and settlements`,
    );
    t.diagnostic(
      `${answered} runs answered, ${refused} refused, ${queued} waited for a grant; ` +
        `${testbed.fake.requests.length} model calls, $${spentAtTheProvider.toFixed(6)} of $${budget.limitUsd}; ` +
        `${updates} ledger updates for ${budgetCalls} reservations and settlements`,
    );
  });

  void it('switches to the cheaper model once the soft limit is passed, and records why', async () => {
    // Each call reports a large input, so two calls pass half of the limit.
    testbed.fake.setScript(calculatorScript({ inputTokens: 20_000, outputTokens: 20 }));
    const budget = {
      scope: `user:downgrade-${crypto.randomUUID()}`,
      limitUsd: 0.05,
      softLimitShare: 0.1,
      downgradeTo: 'openai:gpt-4.1-nano',
    };
    const first = await run(budget);
    assert.deepEqual(first.fallbacks, [], 'below the soft limit');
    const second = await run(budget);
    assert.equal(second.stopReason, 'answer');
    assert.equal(second.fallbacks.length, 1);
    assert.equal(second.fallbacks[0]?.to, 'openai:gpt-4.1-nano');
    assert.match(second.fallbacks[0]?.reason ?? '', /past 10% of budget user:downgrade-/);
    assert.deepEqual(
      testbed.fake.requests.map((request) => request.model),
      ['gpt-4o-mini', 'gpt-4o-mini', 'gpt-4.1-nano', 'gpt-4.1-nano'],
    );
  });

  void it("stays on its model past the soft limit when the tenant's policy refuses the cheaper one", async () => {
    testbed.fake.setScript(calculatorScript({ inputTokens: 20_000, outputTokens: 20 }));
    const budget = {
      scope: `user:downgrade-refused-${crypto.randomUUID()}`,
      limitUsd: 0.05,
      softLimitShare: 0.1,
      downgradeTo: 'openai:gpt-4.1-nano',
    };
    await run(budget, { tenant: 'mini-only' });
    const second = await run(budget, { tenant: 'mini-only' });
    assert.equal(second.stopReason, 'answer', second.stopDetail);
    assert.deepEqual(second.fallbacks, []);
    assert.deepEqual(
      testbed.fake.requests.map((request) => request.model),
      ['gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o-mini'],
    );
  });
});
