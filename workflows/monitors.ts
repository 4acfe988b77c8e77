import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  isFiring,
  MonitorsConfigSchema,
  type MonitorReading,
  type MonitorTransitions,
} from '../common/monitors.js';
import { parseWorkflowInput } from './lib/parse-input.js';

const { readMonitorReadings, recordMonitorEvaluation } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 3, initialInterval: '1 second' },
});
/** A receiver that is down for a while still gets the alert, well within an evaluation interval. */
const { sendMonitorAlert } = proxyActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  retry: { maximumAttempts: 6, initialInterval: '2 seconds', backoffCoefficient: 2 },
});

export interface MonitorRunResult {
  at: number;
  readings: MonitorReading[];
  /** The monitors firing in this evaluation. */
  firing: string[];
  transitions: MonitorTransitions;
  /** The alerts posted: monitor, `firing` or `resolved`, and where. */
  alerts: { monitor: string; status: 'firing' | 'resolved'; webhook: string }[];
}

/**
 * One evaluation of the monitors (`config/monitors.yaml` as `llmos monitors install` gave it to
 * the Schedule, which starts this once per interval, skipping an interval while one still runs):
 * read each monitor's value from visibility (an activity), judge it against its threshold here
 * (deterministic), hand the verdicts to the monitors' state (which switches models and raises or
 * drops the scale-up flag, and answers which monitors started or stopped firing), then post an
 * alert for each such change of a monitor that alerts. A webhook still failing after its retries
 * fails this evaluation, visibly; the next one runs all the same.
 */
export async function monitorWorkflow(input: unknown): Promise<MonitorRunResult> {
  const config = parseWorkflowInput(MonitorsConfigSchema, input);
  const readings = await readMonitorReadings({
    monitors: config.monitors.map((monitor) => ({
      name: monitor.name,
      metric: monitor.metric,
      windowMs: monitor.window,
    })),
    taskQueue: config.task_queue,
  });
  const at = Date.now();
  const reading = new Map(readings.map((read) => [read.name, read]));
  const firing = config.monitors.filter((monitor) => isFiring(monitor, reading.get(monitor.name)!));
  const transitions = await recordMonitorEvaluation({
    at,
    firing: firing.map((monitor) => ({
      name: monitor.name,
      value: reading.get(monitor.name)!.value!,
      actions: monitor.actions,
    })),
  });
  const changes = [
    ...transitions.started.map((name) => ({ name, status: 'firing' as const })),
    ...transitions.resolved.map((name) => ({ name, status: 'resolved' as const })),
  ];
  const alerts = changes.flatMap(({ name, status }) => {
    const monitor = config.monitors.find((candidate) => candidate.name === name);
    return (monitor?.actions ?? []).flatMap((action) =>
      action.kind === 'alert'
        ? [{ monitor: monitor!, status, webhook: action.webhook ?? config.webhook! }]
        : [],
    );
  });
  const { workflowId } = workflowInfo();
  await Promise.all(
    alerts.map(({ monitor, status, webhook }) =>
      sendMonitorAlert({
        webhook,
        alert: {
          status,
          monitor: monitor.name,
          metric: monitor.metric,
          value: reading.get(monitor.name)?.value ?? null,
          threshold: { below: monitor.below, above: monitor.above },
          windowMs: monitor.window,
          at,
          evaluation: workflowId,
        },
      }),
    ),
  );
  return {
    at,
    readings,
    firing: firing.map((monitor) => monitor.name),
    transitions,
    alerts: alerts.map(({ monitor, status, webhook }) => ({ monitor: monitor.name, status, webhook })),
  };
}
