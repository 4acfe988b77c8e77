import type { Command } from 'commander';
import { connectionFlags, type ConnectionOptionValues } from '../cli-options.js';

const clientModule = () => Promise.all([import('../llmos-client.js'), import('../monitors.js')]);

export function registerMonitorsCommands(program: Command): void {
  const monitors = program
    .command('monitors')
    .description(
      'Monitors that act (config/monitors.yaml): alerts, model switches, a scale-up flag, on a Temporal Schedule',
    );

  monitors
    .command('install')
    .description('Create or update the Schedule that evaluates the monitors once per interval')
    .option('--file <path>', 'the monitors file (default: config/monitors.yaml)')
    .action(async (flags: { file?: string } & ConnectionOptionValues) => {
      const [
        [{ connectClient }, { installMonitors }],
        { defaultMonitorsFile, readMonitorsFile },
        { workerModelCatalog },
        { defaultTaskQueue },
      ] = await Promise.all([
        clientModule(),
        import('../../workers/local-tools/monitors-file.js'),
        import('../../workers/local-tools/model-catalog.js'),
        import('../../common/task-queues.js'),
      ]);
      const config = readMonitorsFile(flags.file ?? defaultMonitorsFile, workerModelCatalog());
      const client = await connectClient(connectionFlags(flags));
      const { created, intervalMs } = await installMonitors(
        client,
        config,
        process.env.LLMOS_TASK_QUEUE ?? defaultTaskQueue,
      );
      console.log(
        `${created ? 'Installed' : 'Updated'} the monitors: evaluated every ${intervalMs / 1000} s`,
      );
    });

  monitors
    .command('run')
    .description('Evaluate the monitors once now')
    .action(async (flags: ConnectionOptionValues) => {
      const [{ connectClient }, { triggerMonitors }] = await clientModule();
      await triggerMonitors(await connectClient(connectionFlags(flags)));
      console.log('Evaluating the monitors now');
    });

  monitors
    .command('status')
    .description("What fires, the aliases switched, the scale-up flag, and the Schedule's recent evaluations")
    .option('--json', 'print it as JSON (what scaling tooling reads)')
    .action(async (flags: { json?: boolean } & ConnectionOptionValues) => {
      const [{ connectClient }, { formatMonitorState, monitorSchedule, monitorState }] = await clientModule();
      const client = await connectClient(connectionFlags(flags));
      const [schedule, state] = await Promise.all([monitorSchedule(client), monitorState(client)]);
      if (flags.json) {
        console.log(JSON.stringify({ schedule, ...state }, null, 2));
        return;
      }
      console.log(
        schedule
          ? `Schedule: ${schedule.paused ? 'paused' : 'running'}; next ${schedule.nextActionTimes[0] ?? '(none)'}; last ${schedule.recentActions.at(-1)?.at ?? '(none yet)'}`
          : 'Schedule: not installed (llmos monitors install)',
      );
      for (const line of formatMonitorState(state)) console.log(line);
    });

  monitors
    .command('revert')
    .description("End a monitor's switch of an alias to a smaller model now")
    .argument('<alias>', 'the alias a monitor switched')
    .action(async (alias: string, flags: ConnectionOptionValues) => {
      const [{ connectClient }, { revertModelSwitch }] = await clientModule();
      await revertModelSwitch(await connectClient(connectionFlags(flags)), alias);
      console.log(`${alias} is back on its own models`);
    });

  monitors
    .command('remove')
    .description('Delete the Schedule: the monitors are no longer evaluated')
    .action(async (flags: ConnectionOptionValues) => {
      const [{ connectClient }, { removeMonitors }] = await clientModule();
      await removeMonitors(await connectClient(connectionFlags(flags)));
      console.log('Removed the monitors');
    });
}
