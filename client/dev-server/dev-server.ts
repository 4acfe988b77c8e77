import { TestWorkflowEnvironment } from '@temporalio/testing';
import { llmosSearchAttributeKeys } from '../../common/search-attributes.js';
import { findTemporalCli, type TemporalCli } from './find-temporal-cli.js';

export interface DevServerOptions {
  toolsDirectory: string;
  /** SQLite file that keeps the server's state across restarts; in memory when absent. */
  dbFilename?: string;
  ip?: string;
  /** gRPC port; a free one when absent. */
  port?: number;
  /** Web UI port; no UI when absent. */
  uiPort?: number;
  namespace?: string;
  log?: (line: string) => void;
}

/**
 * Dynamic config `llmos server` (and every dev server llmos starts) runs with. Each was measured
 * with `npm run bench:agent-step`, one at a time:
 * - `history.transferProcessorMaxPollRPS`: the dev server's history service moves new tasks to
 *   the task queues at most this many times a second (default 20 on the SQLite store), which
 *   made schedule-to-start most of a step's time.
 * - `system.enableActivityEagerExecution`: an activity scheduled on the workflow's own task queue
 *   comes back with the workflow task's completion, to the worker that asked, instead of going
 *   through the queue. Production clusters should turn it on too (deploy/temporal/dynamicconfig).
 */
export const devServerDynamicConfig: Readonly<Record<string, string | number | boolean>> = {
  'history.transferProcessorMaxPollRPS': 10_000,
  'system.enableActivityEagerExecution': true,
};

export interface DevServer {
  readonly address: string;
  readonly namespace: string;
  readonly uiUrl: string | undefined;
  readonly cli: TemporalCli;
  shutdown(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` (found or built by `findTemporalCli`) with llmos's search
 * attributes registered, and waits until it accepts connections. The server lives as long as
 * this process, or until `shutdown()`.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const cli = await findTemporalCli({
    toolsDirectory: options.toolsDirectory,
    ...(options.log ? { log: options.log } : {}),
  });
  const namespace = options.namespace ?? 'default';
  const environment = await TestWorkflowEnvironment.createLocal({
    server: {
      executable:
        cli.kind === 'executable'
          ? { type: 'existing-path', path: cli.path }
          : { type: 'cached-download', downloadDir: options.toolsDirectory },
      namespace,
      ip: options.ip ?? '127.0.0.1',
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.uiPort !== undefined ? { ui: true, uiPort: options.uiPort } : { ui: false }),
      ...(options.dbFilename !== undefined ? { dbFilename: options.dbFilename } : {}),
      searchAttributes: llmosSearchAttributeKeys,
      log: { format: 'pretty', level: 'error' },
      extraArgs: Object.entries(devServerDynamicConfig).flatMap(([key, value]) => [
        '--dynamic-config-value',
        `${key}=${JSON.stringify(value)}`,
      ]),
    },
  });
  return {
    address: environment.address,
    namespace,
    uiUrl: options.uiPort !== undefined ? `http://localhost:${options.uiPort}` : undefined,
    cli,
    shutdown: () => environment.teardown(),
  };
}
