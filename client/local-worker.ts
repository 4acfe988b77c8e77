/**
 * What the offline demos share: a Temporal dev server (built or reused, left running for the UI),
 * a worker in this process on the environment's configuration, and a client, for as long as the
 * job runs.
 */
import type { Client } from '@temporalio/client';

export interface LocalWorkerContext {
  client: Client;
  taskQueue: string;
  /** The run's page in the Temporal UI. */
  uiLink: (workflowId: string) => string;
}

export async function withLocalWorker<T>(
  ports: { port: number; uiPort: number },
  job: (context: LocalWorkerContext) => Promise<T>,
): Promise<T> {
  const [
    { parseWorkerConfig },
    { createWorker },
    { installRuntime },
    { ensureBackgroundServer },
    { connectClientTo, localServerConnection },
    { loadProjectConfig },
  ] = await Promise.all([
    import('../workers/config.js'),
    import('../workers/create-worker.js'),
    import('../workers/install-runtime.js'),
    import('./dev-server/background-server.js'),
    import('./llmos-client.js'),
    import('../workers/project-config.js'),
  ]);
  installRuntime('WARN');
  const { address, started } = await ensureBackgroundServer({
    port: ports.port,
    uiPort: ports.uiPort,
    log: (line) => console.log(line),
  });
  console.log(`${started ? 'Started' : 'Reusing'} the Temporal dev server on ${address}.`);
  // The dev server just started: plain TCP and no credentials, whatever the environment says.
  const server = localServerConnection(address);
  const { tools, mcpServers, settings } = await loadProjectConfig(process.env.LLMOS_CONFIG_FILE);
  const config = parseWorkerConfig({ ...settings, ...process.env }, server);
  const { worker, close } = await createWorker(config, { extensions: { tools, mcpServers } });
  const running = worker.run();
  try {
    const client = await connectClientTo(server, config.payloadKeys);
    try {
      return await job({
        client,
        taskQueue: config.LLMOS_TASK_QUEUE,
        uiLink: (workflowId) =>
          `http://localhost:${ports.uiPort}/namespaces/${server.namespace}/workflows/${encodeURIComponent(workflowId)}`,
      });
    } finally {
      await client.connection.close();
    }
  } finally {
    worker.shutdown();
    await running;
    await close();
  }
}
