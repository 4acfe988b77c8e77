import type { Command } from 'commander';
import { chooseDefaultModel } from '../default-model.js';
import { positiveInteger } from '../cli-options.js';

export const demoQuestion = 'What is 17.5% of 2,340, plus the square root of 144?';

/**
 * The one-command tour: a Temporal dev server (built or reused), a worker in this process, one
 * agent run followed live, and the link to it in the Temporal UI. The server keeps running.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Start a local Temporal dev server and a worker, and run a sample agent question')
    .option('--question <text>', 'the question to ask', demoQuestion)
    .option('--port <port>', 'Temporal gRPC port', positiveInteger, 7233)
    .option('--ui-port <port>', 'Temporal UI port', positiveInteger, 8233)
    .action(async (flags: { question: string; port: number; uiPort: number }) => {
      const [
        { parseWorkerConfig },
        { createWorker },
        { installRuntime },
        { ensureBackgroundServer },
        { connectClientTo, localServerConnection, startRun },
        { followAndPrint },
      ] = await Promise.all([
        import('../../workers/config.js'),
        import('../../workers/create-worker.js'),
        import('../../workers/install-runtime.js'),
        import('../dev-server/background-server.js'),
        import('../llmos-client.js'),
        import('../follow-agent.js'),
      ]);
      installRuntime('WARN');
      const { model, scripted } = chooseDefaultModel(process.env);
      if (scripted) {
        console.log(
          `No OPENAI_API_KEY, ANTHROPIC_API_KEY or LLMOS_COMPATIBLE_BASE_URL is set, so this demo runs on the SCRIPTED model ` +
            `(${model}, examples/scripted/demo-agent.json): its replies are canned, the tool calls and Temporal are real.`,
        );
      } else {
        console.log(`Using ${model}.`);
      }
      const { address, started } = await ensureBackgroundServer({
        port: flags.port,
        uiPort: flags.uiPort,
        log: (line) => console.log(line),
      });
      console.log(`${started ? 'Started' : 'Reusing'} the Temporal dev server on ${address}.`);

      // The dev server just started: plain TCP and no credentials, whatever the environment says.
      const server = localServerConnection(address);
      const config = parseWorkerConfig(process.env, server);
      const { worker, close } = await createWorker(config);
      const running = worker.run();
      try {
        const client = await connectClientTo(server, config.payloadKeys);
        const handle = await startRun(
          client,
          'agent',
          { question: flags.question, model },
          { taskQueue: config.LLMOS_TASK_QUEUE },
        );
        console.log(`\nQuestion: ${flags.question}\nRun ${handle.workflowId}:`);
        process.exitCode = await followAndPrint(handle, { json: false });
        console.log(
          `\nSee the run in the Temporal UI: http://localhost:${flags.uiPort}/namespaces/${server.namespace}/workflows/${handle.workflowId}`,
        );
        console.log('The dev server keeps running for the UI; stop it with `npx llmos server stop`.');
        await client.connection.close();
      } finally {
        worker.shutdown();
        await running;
        await close();
      }
    });
}
