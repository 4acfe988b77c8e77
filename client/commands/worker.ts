import { connectionFlags, type ConnectionOptionValues } from '../cli-options.js';
import type { Command } from 'commander';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run an llmos worker (configured by environment variables; see the README)')
    .option(
      '--config <file>',
      "the project's tools and MCP servers (default: LLMOS_CONFIG_FILE, or llmos.config.ts here)",
    )
    .action(async (flags: ConnectionOptionValues & { config?: string }) => {
      // Loaded here, not at the top: every other command would pay for the worker's imports.
      const { runWorkerProcess } = await import('../../workers/run-worker.js');
      await runWorkerProcess(connectionFlags(flags), flags.config);
    });
}
