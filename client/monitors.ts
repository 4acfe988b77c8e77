import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  WorkflowNotFoundError,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import { monitorStateQuery, revertModelOverrideUpdate } from '../common/messages.js';
import {
  activeOverrides,
  emptyMonitorState,
  monitorScheduleId,
  MonitorsConfigSchema,
  monitorStateWorkflowId,
  type MonitorState,
} from '../common/monitors.js';
import { queryBriefly } from './query-briefly.js';

/**
 * Creates the Schedule that evaluates the monitors once per interval, or replaces its interval
 * and monitors when it exists. The Temporal server runs it: one evaluation per interval however
 * many workers poll, an interval skipped while the last one still runs, and it goes on across
 * worker restarts. `config` is the file as written (see `readMonitorsFile`).
 */
export async function installMonitors(
  client: Client,
  config: unknown,
  taskQueue: string,
): Promise<{ created: boolean; intervalMs: number }> {
  const { interval } = MonitorsConfigSchema.parse(config);
  const options: ScheduleOptions = {
    scheduleId: monitorScheduleId,
    spec: { intervals: [{ every: interval }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'monitorWorkflow',
      args: [config],
      taskQueue,
      workflowId: 'llmos-monitors-evaluation',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: interval },
  };
  try {
    await client.schedule.create(options);
    return { created: true, intervalMs: interval };
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await client.schedule.getHandle(monitorScheduleId).update((previous) => ({
    ...previous,
    spec: options.spec,
    action: options.action,
    policies: { ...previous.policies, ...options.policies },
  }));
  return { created: false, intervalMs: interval };
}

/** Runs one evaluation now, beside the interval's. */
export async function triggerMonitors(client: Client): Promise<void> {
  await withSchedule(() =>
    client.schedule.getHandle(monitorScheduleId).trigger(ScheduleOverlapPolicy.ALLOW_ALL),
  );
}

/** Stops evaluating the monitors; the state (switches in force) stays until they end or are reverted. */
export async function removeMonitors(client: Client): Promise<void> {
  await withSchedule(() => client.schedule.getHandle(monitorScheduleId).delete());
}

async function withSchedule<T>(use: () => Promise<T>): Promise<T> {
  try {
    return await use();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError)
      throw new Error('the monitors are not installed: run `llmos monitors install` first');
    throw error;
  }
}

/** The monitors' state now (empty when they never ran), with switches that have ended left out. */
export async function monitorState(client: Client): Promise<MonitorState> {
  try {
    const state = await queryBriefly(client, () =>
      client.workflow.getHandle(monitorStateWorkflowId).query(monitorStateQuery),
    );
    const overrides = Object.fromEntries(
      activeOverrides(state, Date.now()).map((override) => [override.alias, override]),
    );
    return { ...state, overrides };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return emptyMonitorState();
    throw error;
  }
}

/** The Schedule's interval and recent evaluations, or null when the monitors are not installed. */
export async function monitorSchedule(client: Client) {
  try {
    const description = await client.schedule.getHandle(monitorScheduleId).describe();
    return {
      paused: description.state.paused,
      recentActions: description.info.recentActions.map((action) => ({
        at: action.takenAt.toISOString(),
        workflowId: action.action.workflow.workflowId,
      })),
      nextActionTimes: description.info.nextActionTimes.map((time) => time.toISOString()),
    };
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return null;
    throw error;
  }
}

/** Ends a monitor's switch of `alias` now. @throws Error when no switch of it is in force. */
export async function revertModelSwitch(client: Client, alias: string): Promise<void> {
  let reverted = false;
  try {
    reverted = await client.workflow
      .getHandle(monitorStateWorkflowId)
      .executeUpdate(revertModelOverrideUpdate, {
        args: [alias],
      });
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  if (!reverted) throw new Error(`no monitor has switched ${alias} to another model`);
}

/** The monitors' state as lines: what fires since when, the aliases switched, the scale-up flag. */
export function formatMonitorState(state: MonitorState): string[] {
  const firing = Object.entries(state.firing);
  return [
    firing.length === 0
      ? 'Firing: none'
      : `Firing: ${firing.map(([name, { since, value }]) => `${name} (${value}, since ${new Date(since).toISOString()})`).join(', ')}`,
    ...Object.values(state.overrides).map(
      (override) =>
        `Switched: ${override.alias} -> ${override.to} until ${new Date(override.until).toISOString()} (monitor ${override.monitor}: ${override.reason})`,
    ),
    state.scaleUp
      ? `Scale up: requested since ${new Date(state.scaleUp.since).toISOString()} by ${state.scaleUp.monitors.join(', ')}`
      : 'Scale up: not requested',
  ];
}
