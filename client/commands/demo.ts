import type { Command } from 'commander';
import { chooseDefaultModel } from '../default-model.js';
import { positiveInteger } from '../cli-options.js';

export const demoQuestion = 'What is 17.5% of 2,340, plus the square root of 144?';

/** Says which model a demo runs on, and that a scripted one's replies are canned. */
export function announceModel(model: string, scripted: boolean, script: string): void {
  console.log(
    scripted
      ? `No OPENAI_API_KEY, ANTHROPIC_API_KEY or LLMOS_COMPATIBLE_BASE_URL is set, so this demo runs on the SCRIPTED model ` +
          `(${model}, examples/scripted/${script}.json): its replies are canned, the tool calls and Temporal are real.`
      : `Using ${model}.`,
  );
}

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
      const [{ withLocalWorker }, { startRun }, { followAndPrint }] = await Promise.all([
        import('../local-worker.js'),
        import('../llmos-client.js'),
        import('../follow-agent.js'),
      ]);
      const { model, scripted } = chooseDefaultModel(process.env);
      announceModel(model, scripted, 'demo-agent');
      await withLocalWorker(flags, async ({ client, taskQueue, uiLink }) => {
        const handle = await startRun(client, 'agent', { question: flags.question, model }, { taskQueue });
        console.log(`\nQuestion: ${flags.question}\nRun ${handle.workflowId}:`);
        process.exitCode = await followAndPrint(handle, { json: false });
        console.log(`\nSee the run in the Temporal UI: ${uiLink(handle.workflowId)}`);
        console.log('The dev server keeps running for the UI; stop it with `npx llmos server stop`.');
      });
    });
}
