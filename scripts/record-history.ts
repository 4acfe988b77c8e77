/**
 * Records the workflow histories that test/replay/replay.test.ts replays against today's workflow
 * code. Each scenario runs a real llmos workflow on a real Temporal dev server, with a real
 * worker whose OpenAI and Anthropic clients talk to the fake LLM server, and writes
 * `handle.fetchHistory()` in Temporal's JSON history format (`historyToJSON`, the same as
 * `temporal workflow show --output json` writes) to test/replay/histories/<scenario>.json.
 *
 * Re-record only on purpose: a committed history stands for runs already in flight in production.
 * When a workflow change is meant to break replay, version it (`patched()`) rather than re-record;
 * re-record when the change is deliberately incompatible, or to add a scenario:
 *
 *   node --import tsx scripts/record-history.ts                 # every scenario
 *   node --import tsx scripts/record-history.ts cap-raise       # only the named ones
 *
 * It starts its own dev server (or uses LLMOS_TEST_TEMPORAL_ADDRESS when set), so it needs only
 * what `npm test` needs. Then run `LLMOS_TEST_SKIP_CHECKS=1 node --import tsx scripts/run-tests.ts
 * replay` and commit the JSON files.
 */
import type { Client, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AgentRequest } from '../common/agent.js';
import type { AnalysisRequest, AnalysisResult } from '../common/analysis.js';
import type { PsvRequest } from '../common/psv.js';
import type { SelfConsistencyRequest } from '../common/self-consistency.js';
import { ledgerWorkflowId } from '../common/shared-budget.js';
import type { SqlRequest } from '../common/sql.js';
import type { KnowledgeIngestRequest, KnowledgeIngestResult } from '../common/knowledge.js';
import type { CustomerServiceRequest, SessionState } from '../common/customer-service.js';
import { projectRoot } from '../client/project-paths.js';
import { followReplies } from '../client/reply-stream.js';
import { startFakeLlmServer } from '../fake-llm/server.js';
import type { FakeLlmScript } from '../activities/llm/scripted/script-schema.js';
import { connectTemporal } from '../test/helpers/temporal.js';
import { fakeProviderEnv, startTestWorker } from '../test/helpers/test-worker.js';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import {
  agentProgressQuery,
  closeSessionUpdate,
  raiseCapsUpdate,
  sendMessageUpdate,
  sessionStateQuery,
} from '../common/messages.js';
import type { reactAgentWorkflow } from '../workflows/agent.js';

const historiesDirectory = path.join(projectRoot, 'test', 'replay', 'histories');

/** A project file as the worker here opens it: relative, so no machine's folders land in a committed history. */
const projectFile = (...parts: string[]): string =>
  path.relative(process.cwd(), path.join(projectRoot, ...parts));

type AgentHandle = WorkflowHandle<typeof reactAgentWorkflow>;

/** What a scenario's run must end with to be recorded: its stop reason and answer. */
type Expected = { stopReason: string; answer: string | null };

type Scenario = {
  /** What the history covers; the replay test prints it. */
  description: string;
  script: FakeLlmScript;
  /**
   * How the run must end, or what is wrong with its result (a job with no stop reason of its
   * own, the corpus analysis): a run that ends otherwise is not recorded.
   */
  expect: Expected | ((result: unknown) => string | undefined);
  /**
   * Other workflows the run made, recorded too: history name -> their workflow id, from the
   * run's (a child run's, or a budget ledger's, which is still running).
   */
  alsoRecord?: Record<string, (workflowId: string) => string>;
} & (
  | {
      workflowType?: 'reactAgentWorkflow';
      request: AgentRequest;
      /** Drives the run after it started (e.g. sends an update); the default only waits. */
      drive?: (handle: AgentHandle) => Promise<void>;
    }
  | { workflowType: 'planSolveVerifyWorkflow'; request: PsvRequest; drive?: undefined }
  | { workflowType: 'nl2sqlWorkflow'; request: SqlRequest; drive?: undefined }
  | { workflowType: 'selfConsistencyWorkflow'; request: SelfConsistencyRequest; drive?: undefined }
  | { workflowType: 'analyzeCorpusWorkflow'; request: AnalysisRequest; drive?: undefined }
  | { workflowType: 'knowledgeIngestWorkflow'; request: KnowledgeIngestRequest; drive?: undefined }
  | {
      workflowType: 'customerServiceWorkflow';
      request: CustomerServiceRequest;
      /** The customer's side: the messages, then the close. */
      drive: (handle: WorkflowHandle, client: Client) => Promise<void>;
    }
);

const usage = { inputTokens: 120, outputTokens: 15 };
const calculator = (expression: string) => ({ name: 'calculator', arguments: { expression } });

const scenarios: Record<string, Scenario> = {
  'tool-answer': {
    description: 'tools in parallel, an unknown tool, then the answer (OpenAI protocol)',
    script: {
      rules: [
        {
          match: { step: 0 },
          reply: { toolCalls: [calculator('0.175 * 2340'), calculator('sqrt(144)')], usage },
        },
        {
          match: { step: 1 },
          reply: {
            toolCalls: [{ name: 'weather', arguments: { city: 'Oslo' } }, calculator('409.5 + 12')],
            usage,
          },
        },
        {
          match: { step: 2 },
          reply: { text: '17.5% of 2,340 plus the square root of 144 is {{lastToolResult}}.', usage },
        },
      ],
    },
    request: {
      question: 'What is 17.5% of 2,340, plus the square root of 144?',
      model: 'openai:gpt-4o-mini',
    },
    expect: { stopReason: 'answer', answer: '17.5% of 2,340 plus the square root of 144 is 421.5.' },
  },
  'cap-raise': {
    description:
      'stopped on the iteration cap, raised by the raiseCaps update, continued to the answer (Anthropic protocol)',
    script: {
      rules: [
        { match: { step: 0 }, reply: { toolCalls: [calculator('0.03 * 18250')], usage } },
        { match: { step: 1 }, reply: { text: '3% of 18,250 is {{lastToolResult}}.', usage } },
      ],
    },
    request: {
      question: 'What is 3% of 18,250?',
      model: 'anthropic:claude-haiku-4-5',
      caps: { maxIterations: 1 },
      holdOnCapMs: 10 * 60_000,
    },
    drive: async (handle) => {
      await waitUntil('the run to wait on its cap', async () => {
        const progress = await handle.query(agentProgressQuery, 0).catch(() => undefined);
        return progress?.status === 'waiting_for_caps';
      });
      await handle.executeUpdate(raiseCapsUpdate, { args: [{ maxIterations: 5 }] });
    },
    expect: { stopReason: 'answer', answer: '3% of 18,250 is 547.5.' },
  },
  'long-run': {
    description:
      'a run that continues as new after two model calls: its second execution resumes the stored conversation (the first is long-run-first)',
    script: {
      rules: [
        { match: { step: 0 }, reply: { toolCalls: [calculator('1 + 1')], usage } },
        { match: { step: 1 }, reply: { toolCalls: [calculator('2 + 1')], usage } },
        { match: { step: 2 }, reply: { toolCalls: [calculator('3 + 1')], usage } },
        { match: { step: 3 }, reply: { text: 'Counted to {{lastToolResult}}.', usage } },
      ],
    },
    request: {
      question: 'Count to 4, one step at a time.',
      model: 'openai:gpt-4o-mini',
      continueAsNewAfter: 2,
    },
    expect: { stopReason: 'answer', answer: 'Counted to 4.' },
  },
  'model-error': {
    description: 'a tool call, then a model call refused with 401 (not retried): the run stops with error',
    script: {
      rules: [
        { match: { step: 0 }, reply: { toolCalls: [calculator('2 ^ 10')], usage } },
        { match: { step: 1 }, reply: { status: 401, errorMessage: 'Incorrect API key provided' } },
      ],
    },
    request: { question: 'What is 2 to the 10th?', model: 'openai:gpt-4o-mini' },
    expect: { stopReason: 'error', answer: null },
  },
};

const planStep = (
  id: string,
  expression: string,
  check?: { kind: 'number' } | { kind: 'equals'; value: string },
) => ({
  id,
  goal: `compute ${expression}`,
  tool: { name: 'calculator', arguments: { expression } },
  successCriterion: 'a number',
  ...(check ? { check } : {}),
});

scenarios['psv-replan'] = {
  description:
    'Plan -> Solve -> Verify: a plan that fails its check, a re-plan whose second step is a child ReAct run, a judge (OpenAI protocol)',
  workflowType: 'planSolveVerifyWorkflow',
  script: {
    rules: [
      {
        match: { responseFormat: '^plan$' },
        times: 1,
        reply: {
          json: { steps: [planStep('s1', '48 / 2', { kind: 'equals', value: '25' })], answerStep: 's1' },
          usage,
        },
      },
      {
        match: { responseFormat: '^plan$' },
        reply: {
          json: {
            steps: [
              planStep('s1', '48 / 2', { kind: 'number' }),
              {
                id: 's2',
                goal: 'add the new batch',
                agent: { question: 'What is {{steps.s1}} plus 30?' },
                successCriterion: 'the total number of rolls',
              },
            ],
            answerStep: 's2',
            confidence: 0.9,
          },
          usage,
        },
      },
      {
        match: { responseFormat: '^verdict$' },
        reply: { json: { pass: true, reason: '24 + 30 = 54' }, usage },
      },
      { match: { step: 0 }, reply: { toolCalls: [calculator('24 + 30')], usage } },
      { match: { step: 1 }, reply: { text: '{{lastToolResult}}', usage } },
    ],
  },
  request: {
    task: 'A baker makes 48 rolls, sells half, then bakes 30 more. How many rolls are there?',
    model: 'openai:gpt-4o-mini',
  },
  expect: { stopReason: 'answer', answer: '54' },
};

scenarios['psv-flat-replan'] = {
  ...scenarios['psv-replan'],
  description:
    'psv-replan with flat steps: the judge prompt rendered by its activity from variables, the calculator as a local activity, the trace stored at the end',
};

scenarios['psv-attempts-stored'] = {
  ...scenarios['psv-replan'],
  description:
    'psv-flat-replan with the plans and their reports stored at the end, the result holding their reference',
};

// The built-in catalog's `fast`: [openai:gpt-4o-mini, anthropic:claude-haiku-4-5, compatible:llama3.1].
const openaiRefuses = {
  match: { protocol: 'openai' as const },
  reply: { status: 401, errorMessage: 'Incorrect API key' },
};

scenarios['agent-fallback-budget'] = {
  description:
    'alias `fast` against a shared budget: the first model answers 401, the run falls back to Anthropic; every call reserved and settled',
  script: {
    rules: [
      openaiRefuses,
      { match: { step: 0 }, reply: { toolCalls: [calculator('12 * 12')], usage } },
      { match: { step: 1 }, reply: { text: '12 squared is {{lastToolResult}}.', usage } },
    ],
  },
  request: {
    question: 'What is 12 squared?',
    model: 'fast',
    budget: { scope: 'replay:agent', limitUsd: 1 },
  },
  expect: { stopReason: 'answer', answer: '12 squared is 144.' },
};

scenarios['agent-budget'] = {
  description:
    'an agent run against a shared budget, every call reserved and settled; and the budget ledger (budget-ledger), still running',
  script: {
    rules: [
      { match: { step: 0 }, reply: { toolCalls: [calculator('12 * 12')], usage } },
      { match: { step: 1 }, reply: { text: '12 squared is {{lastToolResult}}.', usage } },
    ],
  },
  request: {
    question: 'What is 12 squared?',
    model: 'openai:gpt-4o-mini',
    budget: { scope: 'replay:ledger', limitUsd: 1 },
  },
  expect: { stopReason: 'answer', answer: '12 squared is 144.' },
  alsoRecord: { 'budget-ledger': () => ledgerWorkflowId('replay:ledger') },
};

scenarios['psv-fallback-budget'] = {
  description:
    'Plan -> Solve -> Verify on alias `fast` against a shared budget: the planner falls back to Anthropic, the child ReAct run continues on it, a judge verifies',
  workflowType: 'planSolveVerifyWorkflow',
  script: {
    rules: [
      openaiRefuses,
      {
        match: { responseFormat: '^plan$' },
        reply: {
          json: {
            steps: [
              {
                id: 's1',
                goal: 'multiply',
                agent: { question: 'What is 6 times 7?' },
                successCriterion: 'the product',
              },
            ],
            answerStep: 's1',
          },
          usage,
        },
      },
      {
        match: { responseFormat: '^verdict$' },
        reply: { json: { pass: true, reason: '6 * 7 = 42' }, usage },
      },
      { match: { step: 0 }, reply: { toolCalls: [calculator('6 * 7')], usage } },
      { match: { step: 1 }, reply: { text: '{{lastToolResult}}', usage } },
    ],
  },
  request: {
    task: 'What is 6 times 7?',
    model: 'fast',
    budget: { scope: 'replay:psv', limitUsd: 1 },
  },
  expect: { stopReason: 'answer', answer: '42' },
};

scenarios['sql-answer'] = {
  description:
    'NL2SQL on the Chinook SQLite database: the schema linked, examples picked, the generated query checked and run',
  workflowType: 'nl2sqlWorkflow',
  script: {
    rules: [
      {
        match: { responseFormat: '^sql_query$' },
        reply: {
          json: {
            sql: 'SELECT "Genre"."Name" AS "Genre", COUNT(*) AS "Tracks" FROM "Track" JOIN "Genre" ON "Genre"."GenreId" = "Track"."GenreId" GROUP BY "Genre"."GenreId", "Genre"."Name" ORDER BY "Tracks" DESC LIMIT 3',
            rationale: 'scripted',
          },
          usage,
        },
      },
    ],
  },
  request: {
    question: 'Which three genres have the most tracks?',
    database: projectFile('examples', 'databases', 'chinook.sqlite'),
    model: 'openai:gpt-4o-mini',
  },
  expect: { stopReason: 'answer', answer: null },
};

scenarios['agent-guards'] = {
  description:
    'the guard pipeline: the question masked (input stage), a calculation, the answer judged (output stage)',
  script: {
    rules: [
      { match: { step: 0 }, reply: { toolCalls: [calculator('0.175 * 2340')], usage } },
      { match: { step: 1 }, reply: { text: 'I will tell <EMAIL_1> that it is {{lastToolResult}}.', usage } },
    ],
  },
  request: {
    question: 'What is 17.5% of 2,340? Tell jane.roe@example.com.',
    model: 'openai:gpt-4o-mini',
    tools: ['calculator'],
  },
  expect: { stopReason: 'answer', answer: 'I will tell <EMAIL_1> that it is 409.5.' },
};

scenarios['sql-guards'] = {
  description:
    'NL2SQL with guards: the question masked, the statement run with its literal restored, the rows masked for the answer, the answer judged',
  workflowType: 'nl2sqlWorkflow',
  script: {
    rules: [
      {
        match: { responseFormat: '^sql_query$' },
        reply: {
          json: {
            sql: 'SELECT "FirstName", "Phone" FROM "Customer" WHERE "Email" = \'<EMAIL_1>\' LIMIT 1',
            rationale: 'scripted',
          },
          usage,
        },
      },
      { match: {}, reply: { text: 'Luís can be reached at <PHONE_1>.', usage } },
    ],
  },
  request: {
    question: 'What is the phone number of the customer luisg@embraer.com.br?',
    database: projectFile('examples', 'databases', 'chinook.sqlite'),
    model: 'openai:gpt-4o-mini',
    answer: true,
  },
  expect: { stopReason: 'answer', answer: 'Luís can be reached at <PHONE_1>.' },
};

scenarios['self-consistency'] = {
  description: 'three samples of a one-call agent run, as child workflows in parallel, their answers voted',
  workflowType: 'selfConsistencyWorkflow',
  script: { rules: [{ match: { step: 0 }, reply: { text: 'The answer is 42.', usage } }] },
  request: {
    run: {
      workflow: 'agent',
      request: { question: 'What is 6 * 7?', model: 'openai:gpt-4o-mini', tools: [] },
    },
    samples: 3,
    answerKind: 'number',
  },
  expect: { stopReason: 'answer', answer: 'The answer is 42.' },
};

scenarios.analysis = {
  description:
    'a corpus analysis of one contract: its document run (analysis-document) extracts every chunk, then the report',
  workflowType: 'analyzeCorpusWorkflow',
  script: {
    rules: [{ match: { responseFormat: '^chunk_extraction$' }, reply: { json: { fields: [] }, usage } }],
  },
  request: {
    paths: [projectFile('examples', 'analysis', 'contracts', 'gocall-promotion-agreement.txt')],
    spec: {
      name: 'replay',
      fields: [{ name: 'governing_law', type: 'text', typeSource: 'inferred' }],
      compare: [],
      across: 'documents',
      identify: [],
      output: [],
    },
    model: 'openai:gpt-4o-mini',
  },
  expect: (result) => {
    const { documents, notAnalyzed } = result as AnalysisResult;
    return documents.length === 1 && notAnalyzed.length === 0
      ? undefined
      : `${documents.length} documents, not analyzed: ${JSON.stringify(notAnalyzed)}`;
  },
  alsoRecord: { 'analysis-document': (workflowId) => `${workflowId}/document-1` },
};

scenarios.knowledge = {
  description:
    'a knowledge run: a new base, its vector length probed, two documents embedded and stored two at a time',
  workflowType: 'knowledgeIngestWorkflow',
  script: {},
  request: {
    base: 'replay',
    model: 'openai:text-embedding-3-small',
    paths: [projectFile('examples', 'knowledge', 'billing')],
    metadata: { product: 'billing', language: 'en' },
  },
  expect: (result) => {
    const { stopReason, documents } = result as KnowledgeIngestResult;
    return stopReason === 'answer' &&
      documents.length === 2 &&
      documents.every((document) => document.status === 'added')
      ? undefined
      : `${stopReason}: ${JSON.stringify(documents)}`;
  },
};

/**
 * A customer who writes `messages` one after another, then closes the session; before the message
 * at `afterExecution.message` (its index), waits for the session to be in that execution.
 */
const customerWrites =
  (messages: string[], afterExecution?: { message: number; execution: number }) =>
  async (handle: WorkflowHandle): Promise<void> => {
    for (const [index, text] of messages.entries()) {
      if (index === afterExecution?.message)
        await waitUntil('the session to continue as new', async () => {
          const state = await handle.query(sessionStateQuery).catch(() => undefined);
          return state?.execution === afterExecution.execution;
        });
      await handle.executeUpdate(sendMessageUpdate, { args: [{ text }], updateId: `message-${index + 1}` });
    }
    await handle.executeUpdate(closeSessionUpdate, { args: [{ reason: 'recorded' }] });
  };

/** A session that ends closed on request after `turns` turns. */
const closedAfter = (turns: number) => (result: unknown) => {
  const state = result as SessionState;
  return state.closedBy === 'closed' && state.turns === turns ? undefined : JSON.stringify(state);
};

const supportScript: FakeLlmScript = {
  rules: [
    {
      match: { responseFormat: '^message_assessment$' },
      reply: { json: { sentiment: 0, priority: 'normal', product: null, wantsHuman: false }, usage },
    },
    { match: { responseFormat: '^reply_review$' }, reply: { json: { score: 0.9, problems: [] }, usage } },
    {
      match: { lastUserMessage: 'Turns to add' },
      reply: { text: 'The customer asked two questions.', usage },
    },
    { match: { lastUserMessage: 'Message: ' }, reply: { text: 'Thank you, I have noted that.', usage } },
  ],
};

scenarios['customer-service'] = {
  description:
    "a customer-service session on the worker's configuration: two messages, each answered by a child agent run, then closed",
  workflowType: 'customerServiceWorkflow',
  script: supportScript,
  request: { model: 'openai:gpt-4o-mini', customer: { id: 'C-1001' } },
  drive: customerWrites([
    'Hello, my router keeps restarting at night.',
    'It is the R2 model, bought last year.',
  ]),
  expect: closedAfter(2),
};

/** A session that remembers one turn word for word and continues as new after two. */
const shortMemory: CustomerServiceRequest['config'] = {
  name: 'replay',
  version: 1,
  role: 'You are a support agent.',
  tone: 'Brief.',
  knowledgeBase: 'help',
  tools: [],
  session: { recentTurns: 1, continueAsNewAfterTurns: 2 },
};

scenarios['customer-service-memory'] = {
  description:
    'a session that folds its first turn into a summary (a child run) and continues as new after two turns; the third turn in its second execution (the first is customer-service-memory-first)',
  workflowType: 'customerServiceWorkflow',
  script: supportScript,
  request: {
    model: 'openai:gpt-4o-mini',
    customer: { id: 'C-1002', name: 'Mia Rossi' },
    config: shortMemory,
  },
  drive: customerWrites(
    [
      'Hello, my router keeps restarting at night.',
      'It is the R2 model, bought last year.',
      'Can you open a ticket for me, please?',
    ],
    { message: 2, execution: 2 },
  ),
  expect: closedAfter(3),
};

scenarios['customer-service-stream'] = {
  description:
    'a session whose replies are streamed to a reader (drafts by signal, polls by update) while it continues as new after two turns, carrying its stream; the third turn in its second execution (the first is customer-service-stream-first)',
  workflowType: 'customerServiceWorkflow',
  script: {
    rules: supportScript.rules!.map((rule) =>
      rule.match?.lastUserMessage === 'Message: '
        ? { ...rule, reply: { ...rule.reply, chunkDelayMs: 40 } }
        : rule,
    ),
  },
  request: {
    model: 'openai:gpt-4o-mini',
    customer: { id: 'C-1003' },
    config: shortMemory,
  },
  drive: async (handle, client) => {
    // A reader follows the replies from the start to the close, across the continuation.
    const reading = (async () => {
      let replies = 0;
      for await (const { event } of followReplies(client, handle.workflowId))
        if (event.type === 'reply') replies += 1;
      return replies;
    })();
    await customerWrites(
      [
        'Hello, my router keeps restarting at night.',
        'It is the R2 model, bought last year.',
        'Can you open a ticket for me, please?',
      ],
      { message: 2, execution: 2 },
    )(handle);
    const replies = await reading;
    if (replies !== 3) throw new Error(`the reader saw ${replies} replies, not 3`);
  },
  expect: closedAfter(3),
};

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What is wrong with a run's `result` for `expected`, if anything. */
function mismatch(expected: Scenario['expect'], result: unknown): string | undefined {
  if (typeof expected === 'function') return expected(result);
  const { stopReason, stopDetail, answer } = result as Expected & { stopDetail: string };
  return stopReason === expected.stopReason && answer === expected.answer
    ? undefined
    : `${stopReason} (${stopDetail}), answer ${JSON.stringify(answer)}`;
}

async function record(client: Client, taskQueue: string, name: string, scenario: Scenario): Promise<string> {
  // The id replay.test.ts replays under: child workflow ids derive from it, so they must match.
  const start = { taskQueue, workflowId: `replay-${name}` };
  // The dev server has the llmos search attributes, so the histories cover their upserts too.
  const handle: WorkflowHandleWithFirstExecutionRunId = await client.workflow.start(
    scenario.workflowType ?? 'reactAgentWorkflow',
    { ...start, args: [{ ...scenario.request, recordSearchAttributes: true }] },
  );
  await scenario.drive?.(handle as AgentHandle & WorkflowHandle, client);
  const problem = mismatch(scenario.expect, await handle.result());
  if (problem !== undefined) throw new Error(`scenario ${name} ended unexpectedly: ${problem}`);
  for (const [other, workflowIdOf] of Object.entries(scenario.alsoRecord ?? {}))
    await writeHistory(
      path.join(historiesDirectory, `${other}.json`),
      client.workflow.getHandle(workflowIdOf(start.workflowId)),
    );
  const file = path.join(historiesDirectory, `${name}.json`);
  await writeHistory(file, handle);
  // A run that continued as new: its first execution too, which ends in the continuation.
  const first = client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
  if ((await first.describe()).status.name === 'CONTINUED_AS_NEW')
    await writeHistory(path.join(historiesDirectory, `${name}-first.json`), first);
  return file;
}

/**
 * Payloads that name files under this checkout (an activity that lists a folder resolves its
 * paths) name them relative to it instead: replay reads the recorded results as they are, and a
 * committed history should not carry this machine's folders.
 */
function relativePayloads(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(relativePayloads);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, entry]) => {
      if (key !== 'data' || typeof entry !== 'string') return [key, relativePayloads(entry)];
      const text = Buffer.from(entry, 'base64').toString('utf8');
      return [
        key,
        text.includes(projectRoot)
          ? Buffer.from(text.replaceAll(`${projectRoot}${path.sep}`, ''), 'utf8').toString('base64')
          : entry,
      ];
    }),
  );
}

async function writeHistory(file: string, handle: WorkflowHandle): Promise<void> {
  const history = relativePayloads(JSON.parse(historyToJSON(await handle.fetchHistory())));
  const json = JSON.stringify(history, null, 2);
  // Failure stack traces name this checkout's folder; the committed file should not.
  await writeFile(file, `${json.replaceAll(projectRoot, '<project>')}\n`);
}

async function main(names: string[]): Promise<void> {
  const unknown = names.filter((name) => !(name in scenarios));
  if (unknown.length > 0)
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; scenarios: ${Object.keys(scenarios).join(', ')}`,
    );
  const chosen = names.length > 0 ? names : Object.keys(scenarios);
  await mkdir(historiesDirectory, { recursive: true });
  const temporal = await connectTemporal();
  const fake = await startFakeLlmServer({ script: {} });
  const worker = await startTestWorker(temporal.address, fakeProviderEnv(fake.url));
  try {
    for (const name of chosen) {
      const scenario = scenarios[name]!;
      fake.reset();
      fake.setScript(scenario.script);
      const file = await record(temporal.env.client, worker.taskQueue, name, scenario);
      console.log(`${name}: ${scenario.description}\n  -> ${path.relative(projectRoot, file)}`);
    }
  } finally {
    await worker.stop();
    await fake.close();
    await temporal.close();
  }
}

await main(process.argv.slice(2));
