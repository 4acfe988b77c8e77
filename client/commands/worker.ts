import type { Command } from 'commander';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run an llmos worker (configured by environment variables; see the README)')
    .action(async () => {
      // Loaded here, not at the top: every other command would pay for the worker's imports.
      const [{ parseWorkerConfig }, { createWorker }, { installRuntime }] = await Promise.all([
        import('../../workers/config.js'),
        import('../../workers/create-worker.js'),
        import('../../workers/install-runtime.js'),
      ]);
      // Before the first connection: the Temporal runtime takes its log level (LLMOS_LOG_LEVEL) once.
      installRuntime('INFO');
      const config = parseWorkerConfig();
      const { worker, close } = await createWorker(config);
      const providers = [
        config.OPENAI_API_KEY && 'openai',
        config.ANTHROPIC_API_KEY && 'anthropic',
        config.LLMOS_COMPATIBLE_BASE_URL && `compatible (${config.LLMOS_COMPATIBLE_BASE_URL})`,
        'scripted',
      ].filter(Boolean);
      console.log(
        `llmos worker on ${config.TEMPORAL_ADDRESS}, namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.LLMOS_TASK_QUEUE}; models: ${providers.join(', ')}`,
      );
      // Worker.run() shuts down gracefully on SIGINT/SIGTERM: in-flight activities finish first.
      await worker.run();
      await close();
      // SQLite runner processes and PostgreSQL pools the NL2SQL activities kept warm.
      const { closeAllDatabases } = await import('../../activities/sql/open-database.js');
      await closeAllDatabases();
    });
}
