import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NativeConnection } from '@temporalio/worker';
import type { WorkerGroup } from './worker-group.js';
import { serveJson, type JsonServer } from './serve-json.js';
import { within } from './within.js';

/** How long readiness waits for Temporal's health service before it calls it unreachable. */
const temporalCheckTimeoutMs = 2_000;

/** What `GET /readyz` answers (`GET /livez` answers the same shape, judged on liveness only). */
export interface WorkerHealth {
  live: boolean;
  ready: boolean;
  /** `serving`, or why Temporal is not reachable. */
  temporal: string;
  workers: Array<{
    taskQueue: string;
    runState: string;
    workflowPoller: string;
    activityPoller: string;
    activitiesInFlight: number;
  }>;
  /** Why the worker is not ready; empty when it is. */
  problems: string[];
}

async function temporalState(connection: NativeConnection): Promise<string> {
  try {
    const { status } = await within(temporalCheckTimeoutMs, connection.healthService.check({}));
    // grpc.health.v1's SERVING.
    return Number(status) === 1 ? 'serving' : `not serving (health status ${String(status)})`;
  } catch (error) {
    return `unreachable: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * The worker's health now. Live: no worker has failed (it may be starting, running or draining).
 * Ready: every worker runs and polls, and Temporal's health service answers serving.
 */
export async function workerHealth(group: WorkerGroup, connection: NativeConnection): Promise<WorkerHealth> {
  const workers = group.statuses().map(({ taskQueue, status }) => ({
    taskQueue,
    runState: status.runState,
    workflowPoller: status.workflowPollerState,
    activityPoller: status.activityPollerState,
    activitiesInFlight: status.numInFlightActivities,
  }));
  const temporal = await temporalState(connection);
  const problems = [
    ...(temporal === 'serving' ? [] : [`Temporal ${temporal}`]),
    ...workers.flatMap((worker) => [
      ...(worker.runState === 'RUNNING' ? [] : [`worker on ${worker.taskQueue} is ${worker.runState}`]),
      // A worker with no workflows registered (a provider queue) never polls for workflow tasks.
      ...(worker.workflowPoller === 'FAILED' ? [`workflow poller on ${worker.taskQueue} failed`] : []),
      ...(worker.activityPoller === 'POLLING'
        ? []
        : [`activity poller on ${worker.taskQueue} is ${worker.activityPoller}`]),
    ]),
  ];
  return {
    live: workers.every((worker) => worker.runState !== 'FAILED' && worker.runState !== 'STOPPED'),
    ready: problems.length === 0,
    temporal,
    workers,
    problems,
  };
}

/**
 * Serves the worker's health over HTTP for a container healthcheck or a Kubernetes probe:
 * `GET /livez` (200 while no worker has failed) and `GET /readyz` (200 when every worker polls and
 * Temporal answers), each with `WorkerHealth` as JSON; 503 when not. Reads only: no side effects.
 */
export async function startHealthServer(options: {
  port: number;
  host: string;
  group: WorkerGroup;
  connection: NativeConnection;
}): Promise<JsonServer> {
  const answer = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const route = new URL(request.url ?? '/', 'http://health').pathname;
    if (request.method !== 'GET' || (route !== '/livez' && route !== '/readyz')) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'GET /livez or GET /readyz' }));
      return;
    }
    const health = await workerHealth(options.group, options.connection);
    const ok = route === '/livez' ? health.live : health.ready;
    response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify(health));
  };
  return serveJson(options.port, options.host, answer);
}
