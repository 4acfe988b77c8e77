import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer } from '../../client/dev-server/dev-server.js';
import { toolsDirectory } from '../../client/project-paths.js';
import { installRuntime } from '../../workers/install-runtime.js';

/**
 * The Temporal server tests run against: the one `npm test` started (TEMPORAL_ADDRESS), or, when
 * a test file runs on its own, a dev server started for this process. Never a mock.
 */
export async function connectTemporal(): Promise<{
  env: TestWorkflowEnvironment;
  address: string;
  close(): Promise<void>;
}> {
  installRuntime('WARN');
  const address = process.env.LLMOS_TEST_TEMPORAL_ADDRESS;
  if (address) {
    const env = await TestWorkflowEnvironment.createFromExistingServer({ address });
    return { env, address, close: () => env.teardown() };
  }
  const server = await startDevServer({ toolsDirectory });
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address });
  return {
    env,
    address: server.address,
    close: async () => {
      await env.teardown();
      await server.shutdown();
    },
  };
}
