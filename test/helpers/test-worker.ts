import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseWorkerConfig } from '../../workers/config.js';
import { createWorker } from '../../workers/create-worker.js';
import type { LlmosConfig } from '../../workers/define-config.js';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';
import { getWorkflowBundle } from './workflow-bundle.js';

export interface TestWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * A real llmos worker on its own task queue (or on `env.LLMOS_TASK_QUEUE`), configured like
 * production from environment variables (`env`), e.g. `OPENAI_BASE_URL` pointing at the fake LLM
 * server.
 */
export async function startTestWorker(
  address: string,
  env: Record<string, string> = {},
  /** The project's own tools and MCP servers, as `llmos.config.ts` would give them. */
  extensions?: LlmosConfig,
): Promise<TestWorker> {
  const taskQueue = env.LLMOS_TASK_QUEUE ?? `test-${randomUUID()}`;
  // No response cache unless a test asks: tests count the requests a model receives.
  const config = parseWorkerConfig({
    TEMPORAL_ADDRESS: address,
    LLMOS_CACHE: 'off',
    // The audit trail and PII vault of the guard pipeline: the test process's own file, which
    // the client code a test runs (restoring an answer) reads too.
    LLMOS_AUDIT_FILE: (process.env.LLMOS_AUDIT_FILE ??= path.join(
      tmpdir(),
      `llmos-test-audit-${process.pid}.sqlite`,
    )),
    // Knowledge bases: the test process's own file too, never the project's.
    LLMOS_KNOWLEDGE_FILE: (process.env.LLMOS_KNOWLEDGE_FILE ??= path.join(
      tmpdir(),
      `llmos-test-knowledge-${process.pid}.sqlite`,
    )),
    // Tickets the runs open: the test process's own file, which its tests read back.
    LLMOS_TICKETS_FILE: (process.env.LLMOS_TICKETS_FILE ??= path.join(
      tmpdir(),
      `llmos-test-tickets-${process.pid}.sqlite`,
    )),
    LLMOS_EMAIL_OUTBOX_FILE: (process.env.LLMOS_EMAIL_OUTBOX_FILE ??= path.join(
      tmpdir(),
      `llmos-test-outbox-${process.pid}.sqlite`,
    )),
    ...env,
    LLMOS_TASK_QUEUE: taskQueue,
  });
  const { worker, close } = await createWorker(config, {
    workflowBundle: await getWorkflowBundle(),
    ...(extensions ? { extensions } : {}),
  });
  const running = worker.run();
  return {
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await close();
    },
  };
}

/** Worker environment that sends `openai:*` and `anthropic:*` models to a fake LLM server. */
export function fakeProviderEnv(fakeUrl: string): Record<string, string> {
  return {
    OPENAI_API_KEY: 'test-key',
    OPENAI_BASE_URL: `${fakeUrl}/v1`,
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: fakeUrl,
    LLMOS_MODEL_TIMEOUT_MS: '10000',
  };
}

/**
 * The rules of a fake model that asks the calculator once (`expression`), then answers `answer`
 * (`{{lastToolResult}}` is the tool's result): two model calls, `usage` each.
 */
export function calculatorThenAnswer(
  expression: string,
  answer: string,
  usage = { inputTokens: 100, outputTokens: 10 },
): NonNullable<FakeLlmScript['rules']> {
  return [
    {
      match: { step: 0 },
      reply: { toolCalls: [{ name: 'calculator', arguments: { expression } }], usage },
    },
    { match: { step: 1 }, reply: { text: answer, usage } },
  ];
}
