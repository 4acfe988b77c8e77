/**
 * The typed client library: connect, start any job's run, follow and steer agent runs, read
 * analysis progress. With `common/` (the jobs' schemas and result types) it is all the CLI uses.
 */
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { AgentProgress, AgentResult, AgentStep } from '../common/agent.js';
import type { AnalysisProgress } from '../common/analysis.js';
import type { PendingApproval } from '../common/approvals.js';
import {
  agentProgressQuery,
  analysisProgressQuery,
  documentProgressQuery,
  raiseCapsUpdate,
} from '../common/messages.js';
import type { CapsRaise, RunCaps } from '../common/run-contract.js';
import { resultTraceSince, stepsSince, type ReadTraceSegment } from './agent-trace.js';
import type { analyzeCorpusWorkflow, reactAgentWorkflow } from '../workflows/index.js';
import {
  connectTemporalClient,
  temporalConnectionSettings,
  type TemporalConnectionFlags,
  type TemporalConnectionSettings,
} from '../workers/temporal-connection.js';
import { dataConverterFor, payloadKeysFromEnv, type PayloadKey } from '../workers/payload-encryption.js';
import { tracingPlugins } from '../workers/tracing.js';

export {
  resultTraceSince,
  stepsSince,
  withWholeTrace,
  type ReadStoredText,
  type ReadTraceSegment,
} from './agent-trace.js';
export { withWholePsvResult } from './psv-result.js';
export {
  hasLlmosSearchAttributes,
  startRun,
  validateRequest,
  type JobRequests,
  type JobWorkflows,
  type StartRunOptions,
} from './start-run.js';

export {
  localServerConnection,
  temporalConnectionSettings,
  type TemporalConnectionFlags,
  type TemporalConnectionSettings,
} from '../workers/temporal-connection.js';

/**
 * A client of the Temporal this environment names (the `TEMPORAL_*` variables and the `temporal`
 * CLI's config file profile, as `temporalConnectionSettings` reads them), `flags` on top.
 * @throws Error naming the cause: a bad setting, a refused TLS handshake, no server.
 */
export async function connectClient(flags: TemporalConnectionFlags = {}): Promise<Client> {
  return connectClientTo(temporalConnectionSettings(process.env, flags), payloadKeysFromEnv(process.env));
}

/**
 * A client of the Temporal `settings` name (e.g. `localServerConnection` of a dev server), with
 * the payload keys its workers encrypt with (`payloadKeysFromEnv`), if they do.
 */
export async function connectClientTo(
  settings: TemporalConnectionSettings,
  payloadKeys?: PayloadKey[],
): Promise<Client> {
  let connection;
  try {
    connection = await connectTemporalClient(settings);
  } catch (error) {
    const local = /^(localhost|127\.0\.0\.1)(:|$)/.test(settings.address);
    if (!local || !(error as Error).message.includes('nothing accepts connections')) throw error;
    throw new Error(
      `${(error as Error).message}; start one with \`npx llmos server start\` or set TEMPORAL_ADDRESS`,
    );
  }
  const dataConverter = dataConverterFor(payloadKeys);
  return new Client({
    connection,
    namespace: settings.namespace,
    plugins: tracingPlugins(),
    ...(dataConverter ? { dataConverter } : {}),
  });
}

export type AgentHandle = WorkflowHandle<typeof reactAgentWorkflow>;

export function getAgentHandle(client: Client, workflowId: string): AgentHandle {
  return client.workflow.getHandle<typeof reactAgentWorkflow>(workflowId);
}

export function queryAgentProgress(handle: AgentHandle, sinceStep = 0): Promise<AgentProgress> {
  return handle.query(agentProgressQuery, sinceStep);
}

export function raiseAgentCaps(handle: AgentHandle, raise: CapsRaise): Promise<RunCaps> {
  return handle.executeUpdate(raiseCapsUpdate, { args: [raise] });
}

export type FollowOutcome =
  { kind: 'finished'; result: AgentResult } | { kind: 'waiting_for_caps'; progress: AgentProgress };

/**
 * Polls a run's progress, handing each new trace step to `onSteps`, until it finishes or stops
 * on a cap and waits for a raise. Steps recorded after the last poll come from the result. A long
 * run keeps its earlier steps in the blob store: those missed between two polls are read with
 * `readSegment`, or left out without one.
 */
export async function followAgentRun(
  handle: AgentHandle,
  onSteps: (steps: AgentStep[]) => void,
  options: {
    pollMs?: number;
    sinceStep?: number;
    readSegment?: ReadTraceSegment;
    /** Called on each poll with the tool calls that wait for a person (often none). */
    onAwaitingApproval?: (pending: PendingApproval[]) => void;
    /** Called on each poll with the run's progress (for a sign of life while nothing new happens). */
    onProgress?: (progress: AgentProgress) => void;
  } = {},
): Promise<FollowOutcome> {
  let sinceStep = options.sinceStep ?? 0;
  const finished = async (): Promise<FollowOutcome> => {
    const result = await handle.result();
    onSteps(await stepsSince(resultTraceSince(result, sinceStep), sinceStep, options.readSegment));
    return { kind: 'finished', result };
  };
  for (;;) {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') return finished();
    let progress: AgentProgress;
    try {
      progress = await queryAgentProgress(handle, sinceStep);
    } catch (error) {
      // The first workflow task (of the run, or of the execution it continued as new into) may
      // not have run yet: the query handler is not registered, or the server asks to wait.
      if (/query|handler|not registered|unknown|not ready|not scheduled/i.test((error as Error).message)) {
        await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 300));
        continue;
      }
      throw error;
    }
    onSteps(await stepsSince(progress, sinceStep, options.readSegment));
    options.onAwaitingApproval?.(progress.awaitingApproval ?? []);
    options.onProgress?.(progress);
    sinceStep = progress.stepCount;
    if (progress.status === 'finished') return finished();
    if (progress.status === 'waiting_for_caps') return { kind: 'waiting_for_caps', progress };
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 300));
  }
}

/** An analysis run's progress with its running documents' chunks, tokens and cost added in. */
export async function analysisProgress(
  client: Client,
  handle: WorkflowHandle<typeof analyzeCorpusWorkflow>,
): Promise<AnalysisProgress> {
  const corpus = await handle.query(analysisProgressQuery);
  const running = await Promise.all(
    corpus.running.map((workflowId) =>
      // A document that has just started or just ended may not answer: it is counted next time.
      client.workflow
        .getHandle(workflowId)
        .query(documentProgressQuery)
        .catch(() => undefined),
    ),
  );
  return running.reduce<AnalysisProgress>(
    (sum, document) =>
      document
        ? {
            ...sum,
            chunks: sum.chunks + document.chunks,
            chunksDone: sum.chunksDone + document.chunksDone,
            totals: {
              ...sum.totals,
              totalTokens: sum.totals.totalTokens + document.totals.totalTokens,
              costUsd: sum.totals.costUsd + document.totals.costUsd,
              modelCalls: sum.totals.modelCalls + document.totals.modelCalls,
            },
          }
        : sum,
    corpus,
  );
}
