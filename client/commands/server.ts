import type { Command } from 'commander';
import { positiveInteger } from '../cli-options.js';
import { toolsDirectory } from '../project-paths.js';
import { untilInterrupted } from '../until-interrupted.js';

export function registerServerCommands(program: Command): void {
  const server = program
    .command('server')
    .description('Run a local Temporal dev server (SQLite-backed, UI included)');

  server
    .command('run')
    .description('Run the dev server in the foreground until interrupted')
    .option('--port <port>', 'gRPC port', positiveInteger, 7233)
    .option('--ui-port <port>', 'web UI port', positiveInteger, 8233)
    .option('--db <file>', 'SQLite file that keeps state across restarts')
    .action(async (flags: { port: number; uiPort: number; db?: string }) => {
      const { startDevServer } = await import('../dev-server/dev-server.js');
      const dev = await startDevServer({
        toolsDirectory,
        port: flags.port,
        uiPort: flags.uiPort,
        ...(flags.db ? { dbFilename: flags.db } : {}),
        log: (line) => console.log(line),
      });
      const source = dev.cli.kind === 'executable' ? `${dev.cli.path} (${dev.cli.origin})` : 'SDK download';
      console.log(`Temporal dev server on ${dev.address}, UI ${dev.uiUrl ?? 'off'}, CLI ${source}`);
      await untilInterrupted();
      await dev.shutdown();
    });

  server
    .command('start')
    .description('Start the dev server in the background (reuses one already running)')
    .option('--port <port>', 'gRPC port', positiveInteger, 7233)
    .option('--ui-port <port>', 'web UI port', positiveInteger, 8233)
    .action(async (flags: { port: number; uiPort: number }) => {
      const { ensureBackgroundServer } = await import('../dev-server/background-server.js');
      const { address, started } = await ensureBackgroundServer({
        ...flags,
        log: (line) => console.log(line),
      });
      console.log(
        `${started ? 'Started' : 'Already running:'} Temporal on ${address}, UI http://localhost:${flags.uiPort}`,
      );
    });

  server
    .command('stop')
    .description('Stop the dev server started by `llmos server start` or `llmos demo`')
    .action(async () => {
      const { stopBackgroundServer } = await import('../dev-server/background-server.js');
      const stopped = await stopBackgroundServer();
      console.log(
        stopped
          ? `Stopped the Temporal dev server on ${stopped.address} (pid ${stopped.pid}).`
          : 'No dev server runs on this state folder.',
      );
    });

  server
    .command('status')
    .description("Show this folder's dev server, and whether a Temporal server answers")
    .option('--address <host:port>', 'server address', process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233')
    .action(async (flags: { address: string }) => {
      const { isServerUp, recordedServer } = await import('../dev-server/background-server.js');
      const running = await recordedServer();
      if (running)
        console.log(
          `Dev server (pid ${running.pid}) on ${running.address}, UI http://localhost:${running.uiPort}, state ${running.db}.`,
        );
      const up = await isServerUp(flags.address);
      console.log(up ? `Temporal answers on ${flags.address}.` : `Nothing answers on ${flags.address}.`);
      process.exitCode = up ? 0 : 1;
    });
}
