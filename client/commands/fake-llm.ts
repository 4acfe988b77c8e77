import type { Command } from 'commander';
import { positiveInteger } from '../cli-options.js';
import { untilInterrupted } from '../until-interrupted.js';

export function registerFakeLlmCommand(program: Command): void {
  program
    .command('fake-llm')
    .description(
      'Serve scripted OpenAI and Anthropic responses (with fault injection) on loopback, for tests and chaos drills',
    )
    .requiredOption('--script <file>', 'JSON script: rules and ordered turns (see examples/scripted)')
    .option('--port <port>', 'port to listen on', positiveInteger, 8787)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (flags: { script: string; port: number; host: string }) => {
      const { loadFakeLlmScript, startFakeLlmServer } = await import('../../fake-llm/index.js');
      const script = await loadFakeLlmScript(flags.script);
      const server = await startFakeLlmServer({
        script,
        port: flags.port,
        host: flags.host,
        log: (line) => console.log(line),
      });
      console.log(`fake LLM on ${server.url}`);
      console.log(`  OpenAI:    OPENAI_BASE_URL=${server.url}/v1 OPENAI_API_KEY=fake`);
      console.log(`  Anthropic: ANTHROPIC_BASE_URL=${server.url} ANTHROPIC_API_KEY=fake`);
      console.log(`  requests:  GET ${server.url}/_fake/requests`);
      await untilInterrupted();
      await server.close();
    });
}
