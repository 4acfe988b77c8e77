import type { Command } from 'commander';
import type { Client } from '@temporalio/client';
import { chooseDefaultModel } from '../default-model.js';
import type { ServeOptions } from '../serve/serve-app.js';
import {
  addTenantOptions,
  checkModelAlias,
  connectionFlags,
  modelOptionDescription,
  positiveInteger,
  tenantFromFlags,
  type ConnectionOptionValues,
  type TenantFlags,
} from '../cli-options.js';

interface ServeFlags extends TenantFlags, ConnectionOptionValues {
  port: number;
  host: string;
  model?: string;
  customerHeader?: string;
  inboxToken?: string;
  local?: boolean;
  temporalPort: number;
  uiPort: number;
}

const loopback = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * `llmos serve`: the chat page for customers (`/`) and the inbox for the people who answer them
 * (`/inbox`), over a Temporal server and its workers; with `--local`, over a dev server and a
 * worker in this process, the example company's knowledge base built first.
 */
export function registerServeCommand(program: Command): void {
  addTenantOptions(
    program
      .command('serve')
      .description('Serve the customer chat page (/) and the support inbox (/inbox) over HTTP')
      .option('--port <port>', 'HTTP port', positiveInteger, 8080)
      .option('--host <host>', 'the address to listen on', '127.0.0.1')
      .option('--model <provider:model>', modelOptionDescription)
      .option('--customer-header <name>', 'take the customer id from this header, set by your sign-in proxy')
      .option(
        '--inbox-token <token>',
        "the inbox's bearer token (or LLMOS_INBOX_TOKEN); required off loopback",
      )
      .option(
        '--local',
        'run a Temporal dev server and a worker in this process, with the example knowledge base',
      )
      .option('--temporal-port <port>', 'with --local: the Temporal gRPC port', positiveInteger, 7233)
      .option('--ui-port <port>', 'with --local: the Temporal UI port', positiveInteger, 8233),
  ).action(async (flags: ServeFlags) => {
    const inboxToken = flags.inboxToken ?? process.env.LLMOS_INBOX_TOKEN;
    if (!loopback.has(flags.host) && !inboxToken)
      throw new Error(
        `--host ${flags.host} reaches beyond this machine: give the inbox a token (--inbox-token)`,
      );
    const model = flags.model ?? chooseDefaultModel(process.env, 'demo-support').model;
    await checkModelAlias(model);
    const serve = (client: Client, taskQueue?: string) =>
      serveUntilInterrupted(client, flags, {
        session: { model, ...tenantFromFlags(flags) },
        taskQueue,
        customerHeader: flags.customerHeader,
        inboxToken,
      });
    if (!flags.local) {
      const { connectClient } = await import('../llmos-client.js');
      const client = await connectClient(connectionFlags(flags));
      try {
        return await serve(client);
      } finally {
        await client.connection.close();
      }
    }
    const [{ withLocalWorker }, { buildDemoKnowledgeBase }, { ensureLocalModels }] = await Promise.all([
      import('../local-worker.js'),
      import('../cs-demo.js'),
      import('../local-models.js'),
    ]);
    await ensureLocalModels();
    await withLocalWorker(
      { port: flags.temporalPort, uiPort: flags.uiPort },
      async ({ client, taskQueue }) => {
        await buildDemoKnowledgeBase(client, { taskQueue, print: (line) => console.log(line) });
        await serve(client, taskQueue);
      },
    );
  });
}

async function serveUntilInterrupted(
  client: Client,
  flags: { port: number; host: string },
  options: ServeOptions,
): Promise<void> {
  const [{ createServeApp }, { serve }, { untilInterrupted }] = await Promise.all([
    import('../serve/serve-app.js'),
    import('@hono/node-server'),
    import('../until-interrupted.js'),
  ]);
  const server = serve({
    fetch: createServeApp(client, options).fetch,
    port: flags.port,
    hostname: flags.host,
  });
  const base = `http://${flags.host.includes(':') ? `[${flags.host}]` : flags.host}:${flags.port}`;
  console.log(`Chat page ${base}/ and inbox ${base}/inbox (model ${options.session.model}). Ctrl-C stops.`);
  await untilInterrupted();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Event streams stay open until their readers leave: they are ended here.
  if ('closeAllConnections' in server) server.closeAllConnections();
  await closed;
}
