/**
 * Aliases, fallback chains, `auto` and shared budgets in the jobs beyond the ReAct agent:
 * Plan -> Solve -> Verify, NL2SQL and document analysis all make their model calls through
 * workflows/lib/run-models.ts, so each must fall back, route and stay within a budget as the
 * agent does (test/workflows/model-fallback.test.ts, shared-budget.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { withWholePsvResult } from '../../client/llmos-client.js';
import { projectRoot } from '../../client/project-paths.js';
import { traceSegmentReader } from '../../workers/local-tools/trace-segments.js';
import type { AnalysisRequest, AnalysisResult } from '../../common/analysis.js';
import type { SqlRequest, SqlResult } from '../../common/sql.js';
import type { PsvRequest, PsvResult } from '../../common/psv.js';
import {
  ledgerWorkflowId,
  type LedgerSnapshot,
  type SharedBudgetRequest,
} from '../../common/shared-budget.js';
import { computeCostUsd } from '../../common/pricing.js';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';
import { budgetLedgerQuery } from '../../common/messages.js';
import { demoAnalysisScript, exampleContracts, exampleContractsSpec } from '../helpers/analysis-corpus.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { quickRetry } from './agent-harness.js';

type ScriptRule = NonNullable<FakeLlmScript['rules']>[number];
type Json = NonNullable<ScriptRule['reply']['json']>;

/** The test catalog: `primary-then-backup` is [openai:gpt-4o-mini, anthropic:claude-haiku-4-5]. */
const catalog = path.join(projectRoot, 'test', 'fixtures', 'models', 'test-catalog.yaml');
const alias = 'primary-then-backup';
const primary = 'openai:gpt-4o-mini';
const backup = 'anthropic:claude-haiku-4-5';
const gpt4oMiniCost = (usage: { inputTokens: number; outputTokens: number }): number =>
  computeCostUsd(
    { ...usage, cachedInputTokens: 0, reasoningTokens: 0 },
    { inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 },
  )!;

const primaryRefuses: ScriptRule = {
  match: { protocol: 'openai' },
  reply: { status: 401, errorMessage: 'Incorrect API key' },
};

const chinook = path.join(projectRoot, 'examples', 'databases', 'chinook.sqlite');
const goodSql = 'SELECT COUNT(*) AS "Tracks" FROM "Track"';

void describe('aliases, fallback and shared budgets in PSV, NL2SQL and document analysis', () => {
  const testbed = useAgentTestbed({ workerEnv: () => ({ LLMOS_MODELS_FILE: catalog }) });
  const reports = mkdtempSync(path.join(tmpdir(), 'llmos-jobs-models-'));
  after(() => rmSync(reports, { recursive: true, force: true }));

  const execute = <Result>(workflow: string, request: object, prefix: string): Promise<Result> =>
    testbed.temporal.env.client.workflow.execute(workflow, {
      args: [{ retry: quickRetry, ...request }],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `${prefix}-${crypto.randomUUID()}`,
    });
  // The test worker keeps its blobs where a worker with no blob settings does.
  const traces = traceSegmentReader({});
  after(() => traces.close());
  /** A PSV run's result, its trace and attempts read back from the blob store. */
  const psv = async (request: Partial<PsvRequest>) =>
    withWholePsvResult(
      await execute<PsvResult>(
        'planSolveVerifyWorkflow',
        { task: 'What is 6 * 7, plus one?', model: alias, ...request },
        'psv',
      ),
      traces.read,
      traces.readText,
    );
  const sql = (request: Partial<SqlRequest>) =>
    execute<SqlResult>(
      'nl2sqlWorkflow',
      { question: 'How many tracks are there?', database: chinook, model: alias, ...request },
      'sql',
    );
  const analyze = (request: Partial<AnalysisRequest>) =>
    execute<AnalysisResult>(
      'analyzeCorpusWorkflow',
      {
        paths: [exampleContracts],
        spec: exampleContractsSpec(),
        model: alias,
        outputFolder: reports,
        concurrency: 1,
        ...request,
      },
      'analyze',
    );
  const sentTo = (protocol: 'openai' | 'anthropic') =>
    testbed.fake.requests.filter((request) => request.protocol === protocol).length;
  const ledger = (scope: string): Promise<LedgerSnapshot> =>
    testbed.temporal.env.client.workflow.getHandle(ledgerWorkflowId(scope)).query(budgetLedgerQuery);
  const scope = (name: string): SharedBudgetRequest['scope'] => `test:${name}-${crypto.randomUUID()}`;

  /**
   * Runs in parallel against one small budget: the fake server's bill stays within the limit,
   * the budget ran out before every run finished (typed), and the ledger agrees with the bill
   * with every reservation (sub-agents' too) settled. Returns the refused runs.
   */
  const assertBudgetHeld = async <Result extends { stopReason: string; error?: { type: string } }>(
    t: { diagnostic: (message: string) => void },
    results: Result[],
    budget: { scope: string; limitUsd: number },
    costPerCall: number,
  ): Promise<Result[]> => {
    const spent = testbed.fake.requests.length * costPerCall;
    const refused = results.filter((result) => result.stopReason === 'budget_exhausted');
    t.diagnostic(
      `${results.length - refused.length} answered, ${refused.length} refused; ` +
        `${testbed.fake.requests.length} calls, $${spent.toFixed(6)} of $${budget.limitUsd}`,
    );
    assert.ok(spent <= budget.limitUsd, `$${spent} spent of $${budget.limitUsd}`);
    assert.ok(refused.length > 0, 'the budget ran out before every run finished');
    assert.ok(results.some((result) => result.stopReason === 'answer'));
    for (const result of refused) assert.equal(result.error?.type, 'BudgetExceeded');
    const state = await ledger(budget.scope);
    assert.equal(state.reservations, 0, 'every reservation was settled');
    assert.ok(Math.abs(state.spentUsd - spent) < 1e-12, `ledger $${state.spentUsd}`);
    return refused;
  };

  const assertFellBackOnce = (fallbacks: PsvResult['fallbacks'] | undefined) => {
    assert.equal(fallbacks?.length, 1, JSON.stringify(fallbacks));
    assert.equal(fallbacks?.[0]?.from, primary);
    assert.equal(fallbacks?.[0]?.to, backup);
    assert.match(fallbacks?.[0]?.reason ?? '', /^ModelRequestRejected: .*Incorrect API key/);
  };

  void describe('Plan -> Solve -> Verify', () => {
    const planUsage = { inputTokens: 200, outputTokens: 50 };
    const plan: Json = {
      steps: [
        {
          id: 's1',
          goal: 'find 6 * 7',
          agent: { question: 'What is 6 * 7?' },
          successCriterion: 'a number',
          check: { kind: 'number' },
        },
        {
          id: 's2',
          goal: 'add one',
          tool: { name: 'calculator', arguments: { expression: '{{steps.s1}} + 1' } },
          successCriterion: 'a number',
        },
      ],
      answerStep: 's2',
    };
    const psvRules: ScriptRule[] = [
      { match: { responseFormat: '^plan$' }, reply: { json: plan, usage: planUsage } },
      {
        match: { responseFormat: '^verdict$' },
        reply: { json: { pass: true, reason: 'one more than 42' }, usage: planUsage },
      },
      // The sub-agent answers at once.
      { reply: { text: '42', usage: planUsage } },
    ];

    void it('falls back from a model that answers 401, and the sub-agent continues on the next one', async () => {
      testbed.fake.setScript({ rules: [primaryRefuses, ...psvRules] });
      const result = await psv({});

      assert.equal(result.stopReason, 'answer', result.stopDetail);
      assert.equal(result.answer, '43');
      assertFellBackOnce(result.fallbacks);
      assert.equal(result.fallbacks[0]?.iteration, 1, 'the first call, the plan');
      assert.equal(sentTo('openai'), 1, 'refused once, never asked again: not by the sub-agent either');
      assert.equal(sentTo('anthropic'), 3, 'the plan, the sub-agent, the judge');
      const agentStep = result.trace.find((step) => step.kind === 'agent');
      assert.equal(agentStep?.stopReason, 'answer');
    });

    void it('stops with budget_exhausted (BudgetExceeded) when the shared budget refuses the first call', async () => {
      testbed.fake.setScript({ rules: psvRules });
      const result = await psv({
        model: primary,
        budget: { scope: scope('psv-refused'), limitUsd: 0.00001 },
      });

      assert.equal(result.stopReason, 'budget_exhausted');
      assert.equal(result.error?.type, 'BudgetExceeded');
      assert.match(result.stopDetail, /spent leaves too little/);
      assert.equal(testbed.fake.requests.length, 0, 'nothing was sent');
    });

    void it('runs in parallel against one small budget never spend more than it', async (t) => {
      testbed.fake.setScript({ rules: psvRules });
      const budget = { scope: scope('psv-parallel'), limitUsd: 0.0015 };
      // A small token cap keeps each call's worst case (its whole output allowance) small.
      const results = await Promise.all(
        Array.from({ length: 8 }, () => psv({ model: primary, budget, caps: { maxTotalTokens: 1_000 } })),
      );

      await assertBudgetHeld(t, results, budget, gpt4oMiniCost(planUsage));
    });
  });

  void describe('NL2SQL', () => {
    const sqlUsage = { inputTokens: 300, outputTokens: 40 };
    const sqlRule: ScriptRule = {
      match: { responseFormat: '^sql_query$' },
      reply: { json: { sql: goodSql, rationale: 'scripted' }, usage: sqlUsage },
    };
    const answerRule: ScriptRule = { reply: { text: 'There are 3503 tracks.', usage: sqlUsage } };

    void it('falls back from a model that answers 401 for the query and the answer', async () => {
      testbed.fake.setScript({ rules: [primaryRefuses, sqlRule, answerRule] });
      const result = await sql({ answer: true });

      assert.equal(result.stopReason, 'answer', result.stopDetail);
      assert.deepEqual(result.rows?.rows, [[3503]]);
      assert.equal(result.answer, 'There are 3503 tracks.');
      assertFellBackOnce(result.fallbacks);
      assert.equal(sentTo('openai'), 1);
      assert.equal(sentTo('anthropic'), 2, 'the query and the answer');
      // The model that answered, as the provider names it.
      assert.deepEqual(
        result.trace.map((step) => step.model),
        ['claude-haiku-4-5', 'claude-haiku-4-5'],
      );
    });

    void it('routes `auto` on the prompt it will send: a schema is long, so the complex route', async () => {
      testbed.fake.setScript({ rules: [sqlRule] });
      const result = await sql({ model: 'auto' });

      assert.equal(result.stopReason, 'answer', result.stopDetail);
      assert.equal(result.route?.complexity, 'complex');
      assert.equal(result.route?.model, backup);
      assert.match(result.route?.reasons[0] ?? '', /input tokens > 200/);
      assert.deepEqual(result.fallbacks, []);
      assert.equal(sentTo('anthropic'), 1);
    });

    void it('runs in parallel against one small budget never spend more than it', async (t) => {
      testbed.fake.setScript({ rules: [sqlRule] });
      const budget = { scope: scope('sql-parallel'), limitUsd: 0.003 };
      const results = await Promise.all(Array.from({ length: 8 }, () => sql({ model: primary, budget })));

      const refused = await assertBudgetHeld(t, results, budget, gpt4oMiniCost(sqlUsage));
      for (const result of refused) assert.match(result.stopDetail, /spent leaves too little/);
    });
  });

  void describe('document analysis', () => {
    const analysisUsage = { inputTokens: 300, outputTokens: 50 };

    void it('falls back from a model that answers 401; the next documents and the reduce start on the backup', async () => {
      testbed.fake.setScript({
        rules: [primaryRefuses, ...(demoAnalysisScript({ usage: analysisUsage }).rules ?? [])],
      });
      const result = await analyze({});

      assert.deepEqual(
        result.documents.map((document) => document.status),
        ['analyzed', 'analyzed', 'analyzed'],
      );
      assert.deepEqual(result.notAnalyzed, []);
      assertFellBackOnce(result.fallbacks);
      assert.equal(sentTo('openai'), 1, 'one refused extraction; every later call went to the backup');
      const chunks = result.documents.reduce((sum, document) => sum + document.chunks, 0);
      assert.equal(sentTo('anthropic'), chunks + 2, 'every chunk, then IDENTIFY and OUTPUT');
      assert.equal(result.totals.modelCalls, chunks + 2);
    });

    void it('reserves every step against the shared budget and stops the map when it is refused', async (t) => {
      testbed.fake.setScript(demoAnalysisScript({ usage: analysisUsage }));
      // About one extraction's worst case (its whole output allowance): a few calls, then refused.
      const budget = { scope: scope('analysis'), limitUsd: 0.003 };
      const result = await analyze({ model: primary, budget });

      const spent = testbed.fake.requests.length * gpt4oMiniCost(analysisUsage);
      t.diagnostic(
        `${testbed.fake.requests.length} calls, $${spent.toFixed(6)} of $${budget.limitUsd}; ` +
          result.documents
            .map((document) => `${document.status} ${document.chunksAnalyzed}/${document.chunks}`)
            .join(', '),
      );
      assert.ok(spent <= budget.limitUsd, `$${spent} spent of $${budget.limitUsd}`);
      assert.ok(testbed.fake.requests.length > 0, 'the budget allowed some calls');
      assert.equal(result.stop?.stopReason, 'budget_exhausted');
      assert.match(result.stop?.detail ?? '', /spent leaves too little/);
      assert.ok(
        result.notAnalyzed.some((item) => /^budget_exhausted: budget test:analysis-/.test(item.reason)),
        JSON.stringify(result.notAnalyzed),
      );
      assert.ok(
        result.documents.some((document) => document.status === 'skipped'),
        'documents after the refusal are not started',
      );
      const state = await ledger(budget.scope);
      assert.equal(state.reservations, 0, 'every reservation was settled');
      assert.ok(Math.abs(state.spentUsd - spent) < 1e-12, `ledger $${state.spentUsd}`);
    });

    void it('makes no call when the shared budget cannot cover one, and still writes the report', async () => {
      testbed.fake.setScript(demoAnalysisScript({ usage: analysisUsage }));
      const result = await analyze({
        model: primary,
        concurrency: 3,
        budget: { scope: scope('analysis-refused'), limitUsd: 0.0001 },
      });

      assert.equal(testbed.fake.requests.length, 0);
      assert.equal(result.stop?.stopReason, 'budget_exhausted');
      assert.deepEqual(
        result.documents.map((document) => document.chunksAnalyzed),
        [0, 0, 0],
      );
      assert.ok(result.report.files.markdown.length > 0);
      assert.ok(result.notAnalyzed.some((item) => item.document.startsWith('OUTPUT')));
    });
  });
});
