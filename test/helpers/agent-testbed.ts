import { after, before, beforeEach } from 'node:test';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';
import type { LlmosConfig } from '../../workers/define-config.js';
import { connectTemporal } from './temporal.js';
import { fakeProviderEnv, startTestWorker, type TestWorker } from './test-worker.js';

export interface AgentTestbed {
  temporal: Awaited<ReturnType<typeof connectTemporal>>;
  fake: FakeLlmServer;
  worker: TestWorker;
}

export interface AgentTestbedOptions {
  /** Extra worker environment, read when the worker starts (after `before` hooks registered earlier). */
  workerEnv?: () => Record<string, string>;
  /** The worker's own tools and MCP servers, read when it starts. */
  extensions?: () => LlmosConfig;
  /** Gets the fake LLM server's one-line request log. */
  fakeLog?: (line: string) => void;
}

/**
 * Registers the hooks of a suite that runs agents: the test Temporal server, a fake LLM server
 * (reset before each test) and a worker whose OpenAI and Anthropic clients talk to it.
 */
export function useAgentTestbed(options: AgentTestbedOptions = {}): AgentTestbed {
  const testbed = {} as AgentTestbed;
  before(async () => {
    testbed.temporal = await connectTemporal();
    testbed.fake = await startFakeLlmServer({
      script: {},
      ...(options.fakeLog ? { log: options.fakeLog } : {}),
    });
    testbed.worker = await startTestWorker(
      testbed.temporal.address,
      { ...fakeProviderEnv(testbed.fake.url), ...options.workerEnv?.() },
      options.extensions?.(),
    );
  });
  after(async () => {
    await testbed.worker?.stop();
    await testbed.fake?.close();
    await testbed.temporal?.close();
  });
  beforeEach(() => testbed.fake.reset());
  return testbed;
}
