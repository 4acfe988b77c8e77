/**
 * A worker process killed with SIGKILL mid-run: another worker process on the same task queue
 * continues the run from history. Completed model calls are never sent again; only the call in
 * flight at the kill is repeated, once. Stopped with SIGTERM (a deploy), a worker first lets the
 * call in flight finish, and nothing is sent again.
 */
import type { History } from '@temporalio/common/lib/proto-utils.js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { AgentRequest, AgentResult } from '../../common/agent.js';
import { startFakeLlmServer, type FakeLlmServer, type RecordedRequest } from '../../fake-llm/server.js';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';
import { agentProgressQuery, raiseCapsUpdate } from '../../common/messages.js';
import type { reactAgentWorkflow } from '../../workflows/agent.js';
import { eventually } from '../helpers/eventually.js';
import { connectTemporal } from '../helpers/temporal.js';
import { fakeProviderEnv } from '../helpers/test-worker.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

type HistoryEvent = NonNullable<History['events']>[number];

/** Four calculator steps, each on the previous result, then the answer: 2 + 3 = 5, * 4 = 20, - 6 = 14, / 7 = 2. */
const expressions = ['2 + 3', '5 * 4', '20 - 6', '14 / 7'] as const;
const finalStep = expressions.length;
const expectedAnswer = 'The result is 2.';

/**
 * Replies chosen by `step` (the assistant messages already in the request), not by order: a
 * retried request for step k gets step k's reply again, not the next one. `slowStep` answers
 * after `delayMs` the first time only, so its retry after the crash is quick.
 */
function stepScript(options: { slowStep?: number; delayMs?: number } = {}): FakeLlmScript {
  const reply = (step: number) =>
    step < finalStep
      ? {
          toolCalls: [{ name: 'calculator', arguments: { expression: expressions[step]! } }],
          usage: { inputTokens: 100, outputTokens: 10 },
        }
      : { text: 'The result is {{lastToolResult}}.', usage: { inputTokens: 100, outputTokens: 10 } };
  const rules: NonNullable<FakeLlmScript['rules']> = [];
  if (options.slowStep !== undefined) {
    rules.push({
      match: { step: options.slowStep },
      times: 1,
      reply: { ...reply(options.slowStep), delayMs: options.delayMs },
    });
  }
  for (let step = 0; step <= finalStep; step += 1) rules.push({ match: { step }, reply: reply(step) });
  return { rules };
}

function requestsPerStep(requests: readonly RecordedRequest[]): number[] {
  const counts = Array.from({ length: finalStep + 1 }, () => 0);
  for (const request of requests) {
    assert.ok(
      request.step !== null && request.step <= finalStep,
      `unexpected request: ${JSON.stringify(request.step)}`,
    );
    counts[request.step] = (counts[request.step] ?? 0) + 1;
  }
  return counts;
}

/** The activities of a history, in the order they were scheduled, with how they ended. */
interface ActivityRecord {
  type: string;
  scheduledEventId: number;
  /** Attempt of the recorded start: the server records only the start of the attempt that ended the activity. */
  startedAttempt: number | undefined;
  completions: number;
  failures: number;
}

/** Local activities recorded in history (the calculator is pure: the agent runs it as one), each a marker. */
function localActivityMarkers(events: readonly HistoryEvent[]): number {
  return events.filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_local_activity')
    .length;
}

function activitiesOf(events: readonly HistoryEvent[]): ActivityRecord[] {
  const byId = new Map<number, ActivityRecord>();
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const id = Number(event.eventId);
      byId.set(id, {
        type: scheduled.activityType?.name ?? '?',
        scheduledEventId: id,
        startedAttempt: undefined,
        completions: 0,
        failures: 0,
      });
    }
    const find = (id: unknown): ActivityRecord => {
      const record = byId.get(Number(id));
      assert.ok(record, `history event ${String(event.eventId)} refers to an unknown activity ${String(id)}`);
      return record;
    };
    if (event.activityTaskStartedEventAttributes) {
      find(event.activityTaskStartedEventAttributes.scheduledEventId).startedAttempt =
        event.activityTaskStartedEventAttributes.attempt ?? undefined;
    }
    if (event.activityTaskCompletedEventAttributes)
      find(event.activityTaskCompletedEventAttributes.scheduledEventId).completions += 1;
    const failed =
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    if (failed) find(failed.scheduledEventId).failures += 1;
  }
  return [...byId.values()];
}

void describe('a worker process killed with SIGKILL mid-run', { timeout: 600_000 }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let fake: FakeLlmServer;
  const workers: WorkerProcess[] = [];

  before(async () => {
    temporal = await connectTemporal();
    fake = await startFakeLlmServer({ script: {} });
  });
  after(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await fake?.close();
    await temporal?.close();
  });

  const startWorker = async (taskQueue: string): Promise<WorkerProcess> => {
    const worker = await startWorkerProcess({
      address: temporal.address,
      taskQueue,
      env: fakeProviderEnv(fake.url),
    });
    workers.push(worker);
    return worker;
  };
  const kill = async (worker: WorkerProcess): Promise<void> => {
    worker.kill('SIGKILL');
    const exit = await worker.exited;
    assert.equal(
      exit.signal,
      'SIGKILL',
      `the worker ended otherwise: ${JSON.stringify(exit)}\n${worker.output()}`,
    );
  };
  const start = (taskQueue: string, request: AgentRequest) =>
    temporal.env.client.workflow.start<typeof reactAgentWorkflow>('reactAgentWorkflow', {
      args: [request],
      taskQueue,
      workflowId: `crash-${randomUUID()}`,
    });
  /**
   * A run on a fresh worker whose model call at `slowStep` the provider holds for `delayMs`:
   * resolves once that call has reached the provider.
   */
  const untilSlowStep = async (prefix: string, slowStep: number, delayMs: number) => {
    fake.reset();
    fake.setScript(stepScript({ slowStep, delayMs }));
    const taskQueue = `${prefix}-${randomUUID()}`;
    const first = await startWorker(taskQueue);
    const handle = await start(taskQueue, {
      question: 'Compute ((2 + 3) * 4 - 6) / 7 one operation at a time.',
      model: 'openai:gpt-4o-mini',
      // A dead worker's model call is noticed after 5 s without a heartbeat and retried at once. Not
      // less: a live worker heartbeats every 0.8 x this timeout, and a busy machine needs the margin.
      retry: { heartbeatTimeoutMs: 5_000, initialIntervalMs: 200, maximumAttempts: 5 },
    });
    await eventually(`the step ${slowStep} model request`, () =>
      fake.requests.some((request) => request.step === slowStep) ? true : undefined,
    );
    return { taskQueue, first, handle };
  };
  const assertAnswered = (result: AgentResult): void => {
    assert.equal(result.stopReason, 'answer', `stopped with ${result.stopReason}: ${result.stopDetail}`);
    assert.equal(result.answer, expectedAnswer);
    assert.equal(result.totals.modelCalls, finalStep + 1);
    assert.equal(result.totals.toolCalls, finalStep);
    assert.deepEqual(
      result.trace.filter((step) => step.kind === 'tool').map((step) => step.observation),
      ['5', '20', '14', '2'],
    );
  };

  void it('repeats only the model call in flight at the kill, and that one only once', async () => {
    const slowStep = 2;
    const { taskQueue, first, handle } = await untilSlowStep('crash', slowStep, 20_000);
    // The slow request has reached the "provider", which holds it for 20 s: kill the worker now.
    await kill(first);
    const beforeKill = requestsPerStep(fake.requests);
    assert.deepEqual(beforeKill, [1, 1, 1, 0, 0], 'steps 0 and 1 done, step 2 in flight at the kill');
    const inFlight = fake.requests.find((request) => request.step === slowStep)!;

    await startWorker(taskQueue);
    const result = await handle.result();

    assertAnswered(result);
    // Steps completed before the kill were sent once; the step in flight twice: before and after the kill.
    assert.deepEqual(requestsPerStep(fake.requests), [1, 1, 2, 1, 1]);
    assert.equal(
      inFlight.status,
      null,
      'the first step-2 request was never answered: the worker died waiting for it',
    );
    const stepTwo = fake.requests.filter((request) => request.step === slowStep);
    assert.equal(stepTwo[1]!.status, 200);
    assert.ok(stepTwo[1]!.receivedAt > inFlight.receivedAt);

    // History: each model activity scheduled and completed once; the step-2 one completed on its second attempt.
    const { events } = await handle.fetchHistory();
    const activities = activitiesOf(events ?? []);
    const modelCalls = activities.filter((activity) => activity.type === 'callChatModel');
    assert.equal(modelCalls.length, finalStep + 1);
    assert.deepEqual(
      modelCalls.map((activity) => [activity.completions, activity.failures]),
      modelCalls.map(() => [1, 0]),
    );
    assert.deepEqual(
      modelCalls.map((activity) => activity.startedAttempt),
      [1, 1, 2, 1, 1],
    );
    // Tool calls: the calculator is pure, a local activity, each recorded once.
    assert.equal(activities.filter((activity) => activity.type === 'runTool').length, 0);
    assert.equal(localActivityMarkers(events ?? []), finalStep);
  });

  void it('on SIGTERM lets the model call in flight finish, records it, and sends it only once', async () => {
    const slowStep = 2;
    const { taskQueue, first, handle } = await untilSlowStep('drain', slowStep, 3_000);
    // A deploy: the old worker is told to stop while its call is with the provider, a new one starts.
    first.kill('SIGTERM');
    await startWorker(taskQueue);
    const exit = await first.exited;
    assert.equal(exit.code, 0, `the worker did not stop cleanly: ${JSON.stringify(exit)}\n${first.output()}`);
    const inFlight = fake.requests.find((request) => request.step === slowStep)!;
    assert.equal(inFlight.status, 200, 'the call in flight was answered before the worker ended');

    const result = await handle.result();
    assertAnswered(result);
    assert.deepEqual(requestsPerStep(fake.requests), [1, 1, 1, 1, 1], 'every model call sent once');
    const { events } = await handle.fetchHistory();
    const modelCalls = activitiesOf(events ?? []).filter((activity) => activity.type === 'callChatModel');
    assert.deepEqual(
      modelCalls.map((activity) => [activity.startedAttempt, activity.completions, activity.failures]),
      modelCalls.map(() => [1, 1, 0]),
      'each model call completed on its first attempt: the draining worker recorded the slow one',
    );
  });

  void it('repeats no model call when the kill comes right after a tool call completed', async () => {
    fake.reset();
    fake.setScript(stepScript());
    const taskQueue = `crash-${randomUUID()}`;
    const first = await startWorker(taskQueue);
    // The cap stops the run right after the second tool call: the run then waits for a raise with no
    // activity scheduled, so the kill lands between activities every time, not by luck of timing.
    const handle = await start(taskQueue, {
      question: 'Compute ((2 + 3) * 4 - 6) / 7 one operation at a time.',
      model: 'openai:gpt-4o-mini',
      caps: { maxIterations: 2 },
      holdOnCapMs: 5 * 60_000,
      retry: { heartbeatTimeoutMs: 5_000, initialIntervalMs: 200 },
    });
    await eventually('the run to wait on its iteration cap', async () => {
      try {
        const progress = await handle.query(agentProgressQuery, 0);
        return progress.status === 'waiting_for_caps' ? progress : undefined;
      } catch {
        return undefined; // the first workflow task has not run yet
      }
    });
    const { events: eventsBeforeKill } = await handle.fetchHistory();
    const activitiesBeforeKill = activitiesOf(eventsBeforeKill ?? []);
    assert.deepEqual(
      activitiesBeforeKill.map((activity) => [activity.type, activity.completions]),
      [
        ['applyGuards', 1], // the question
        ['describeTools', 1],
        ['loadPrompts', 1],
        ['resolveModelChain', 1],
        ['callChatModel', 1],
        ['callChatModel', 1],
      ],
      'two model calls done',
    );
    // The calculator is pure, run as a local activity: each tool call is a marker in history.
    assert.equal(
      localActivityMarkers(eventsBeforeKill ?? []),
      2,
      'the last thing that happened is a tool call',
    );
    const description = await handle.describe();
    assert.equal(description.raw.pendingActivities?.length ?? 0, 0, 'no activity is in flight at the kill');
    assert.deepEqual(requestsPerStep(fake.requests), [1, 1, 0, 0, 0]);

    await kill(first);
    await startWorker(taskQueue);
    // The new worker has no cache: it replays the whole history to take the update, sending nothing again.
    const caps = await handle.executeUpdate(raiseCapsUpdate, { args: [{ maxIterations: 10 }] });
    assert.equal(caps.maxIterations, 10);
    const result = await handle.result();

    assertAnswered(result);
    assert.deepEqual(requestsPerStep(fake.requests), [1, 1, 1, 1, 1], 'no model call was sent twice');
    const { events } = await handle.fetchHistory();
    const modelCalls = activitiesOf(events ?? []).filter((activity) => activity.type === 'callChatModel');
    assert.deepEqual(
      modelCalls.map((activity) => [activity.completions, activity.startedAttempt]),
      modelCalls.map(() => [1, 1]),
    );
    assert.equal(modelCalls.length, finalStep + 1);
  });
});
