import type { Workflow as TemporalWorkflow } from '@temporalio/common';
import type { z } from 'zod';
import { Client, Connection, WorkflowIdConflictPolicy, type WorkflowHandle } from '@temporalio/client';
import {
  AgentInputSchema,
  type AgentProgress,
  type AgentRequest,
  type AgentResult,
  type AgentStep,
} from '../common/agent.js';
import { type RunCaps, type CapsRaise } from '../common/run-contract.js';
import { describeIssues } from '../common/describe-issues.js';
import {
  AnalysisInputSchema,
  type AnalysisRequest,
  type AnalysisProgress,
  type DocumentProgress,
} from '../common/analysis.js';
import { SqlInputSchema, type SqlRequest } from '../common/sql.js';
import { PsvInputSchema, type PsvRequest } from '../common/psv.js';
import { SelfConsistencyInputSchema, type SelfConsistencyRequest } from '../common/self-consistency.js';
import { LlmosKind, LlmosModel, llmosSearchAttributeKeys } from '../common/search-attributes.js';
import { defaultTaskQueue } from '../common/task-queues.js';
import { agentProgressQuery, raiseCapsUpdate } from '../workflows/messages.js';
import type { analyzeCorpusWorkflow } from '../workflows/analysis.js';
import type { nl2sqlWorkflow } from '../workflows/sql.js';
import type { planSolveVerifyWorkflow } from '../workflows/psv.js';
import type { reactAgentWorkflow } from '../workflows/agent.js';
import type { selfConsistencyWorkflow } from '../workflows/self-consistency.js';

export interface ClientOptions {
  address?: string;
  namespace?: string;
}

export async function connectClient(options: ClientOptions = {}): Promise<Client> {
  const address = options.address ?? process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: 5_000 });
  } catch (error) {
    throw new Error(
      `cannot reach Temporal at ${address} (${(error as Error).message}); start one with \`npx llmos server start\` or set TEMPORAL_ADDRESS`,
    );
  }
  return new Client({
    connection,
    namespace: options.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default',
  });
}

export type AgentHandle = WorkflowHandle<typeof reactAgentWorkflow>;

/** A request validated as its workflow will validate it, so bad input is reported before anything starts. */
function validateRequest<Request>(schema: z.ZodType, request: Request, what: string): Request {
  const parsed = schema.safeParse(request);
  if (parsed.success) return request;
  throw new Error(`invalid ${what} request:\n  ${describeIssues(parsed.error.issues).join('\n  ')}`);
}

export function validateAgentRequest(request: AgentRequest): AgentRequest {
  return validateRequest(AgentInputSchema, request, 'agent');
}

const searchAttributesChecks = new WeakMap<Client, Promise<boolean>>();

/**
 * Whether the client's namespace has every llmos search attribute registered (`llmos server`
 * and docker-compose register them; other clusters may not). Asked once per client.
 */
export function hasLlmosSearchAttributes(client: Client): Promise<boolean> {
  let check = searchAttributesChecks.get(client);
  if (!check) {
    check = client.connection.operatorService
      .listSearchAttributes({ namespace: client.options.namespace })
      .then(({ customAttributes }) =>
        llmosSearchAttributeKeys.every(({ name }) => name in (customAttributes ?? {})),
      );
    searchAttributesChecks.set(client, check);
  }
  return check;
}

interface StartRunOptions {
  taskQueue?: string;
  workflowId?: string;
}

/**
 * Starts an llmos workflow. Where the namespace has the llmos search attributes, the run's kind
 * and model are set at the start and the workflow keeps its stop reason, cost and tokens up to
 * date, for the UI.
 */
async function startRun<Workflow extends TemporalWorkflow>(
  client: Client,
  run: {
    workflowType: string;
    kind: string;
    /** Default workflow ids are `<idPrefix>-<uuid>`. */
    idPrefix: string;
    model: string;
    summary: string;
    request: Parameters<Workflow>[0];
  },
  options: StartRunOptions,
): Promise<WorkflowHandle<Workflow>> {
  const searchable = await hasLlmosSearchAttributes(client);
  const handle = await client.workflow.start(run.workflowType, {
    args: [{ ...run.request, recordSearchAttributes: searchable }],
    taskQueue: options.taskQueue ?? process.env.LLMOS_TASK_QUEUE ?? defaultTaskQueue,
    workflowId: options.workflowId ?? `${run.idPrefix}-${crypto.randomUUID()}`,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    ...(searchable
      ? {
          typedSearchAttributes: [
            { key: LlmosKind, value: run.kind },
            // As given, an alias (`fast`) included: the worker resolves it to its chain.
            { key: LlmosModel, value: run.model },
          ],
        }
      : {}),
    staticSummary: run.summary.slice(0, 200),
  });
  // Started by type name, so the SDK cannot know the result type; the callers name the workflow.
  return handle as WorkflowHandle<Workflow>;
}

/** Starts a ReAct agent run. */
export function startAgentRun(
  client: Client,
  request: AgentRequest,
  options: StartRunOptions = {},
): Promise<AgentHandle> {
  validateAgentRequest(request);
  return startRun<typeof reactAgentWorkflow>(
    client,
    {
      workflowType: 'reactAgentWorkflow',
      kind: 'react',
      idPrefix: 'agent',
      model: request.model,
      summary: `ReAct agent on ${request.model}: ${request.question}`,
      request,
    },
    options,
  );
}

/** Starts a Plan -> Solve -> Verify run. */
export function startPsvRun(
  client: Client,
  request: PsvRequest,
  options: StartRunOptions = {},
): Promise<WorkflowHandle<typeof planSolveVerifyWorkflow>> {
  validateRequest(PsvInputSchema, request, 'plan-solve-verify');
  return startRun<typeof planSolveVerifyWorkflow>(
    client,
    {
      workflowType: 'planSolveVerifyWorkflow',
      kind: 'psv',
      idPrefix: 'psv',
      model: request.model,
      summary: `Plan -> Solve -> Verify on ${request.model}: ${request.task}`,
      request,
    },
    options,
  );
}

/** Starts an NL2SQL run. */
export function startSqlRun(
  client: Client,
  request: SqlRequest,
  options: StartRunOptions = {},
): Promise<WorkflowHandle<typeof nl2sqlWorkflow>> {
  validateRequest(SqlInputSchema, request, 'nl2sql');
  return startRun<typeof nl2sqlWorkflow>(
    client,
    {
      workflowType: 'nl2sqlWorkflow',
      kind: 'nl2sql',
      idPrefix: 'sql',
      model: request.model,
      summary: `NL2SQL on ${request.model}: ${request.question}`,
      request,
    },
    options,
  );
}

/** Starts a self-consistency run: N samples of a ReAct or PSV request, voted. */
export function startSelfConsistencyRun(
  client: Client,
  request: SelfConsistencyRequest,
  options: StartRunOptions = {},
): Promise<WorkflowHandle<typeof selfConsistencyWorkflow>> {
  validateRequest(SelfConsistencyInputSchema, request, 'self-consistency');
  return startRun<typeof selfConsistencyWorkflow>(
    client,
    {
      workflowType: 'selfConsistencyWorkflow',
      kind: 'self-consistency',
      idPrefix: 'sc',
      model: request.run.request.model,
      summary: `${request.samples ?? 5} ${request.run.workflow} samples on ${request.run.request.model}`,
      request,
    },
    options,
  );
}

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
 * on a cap and waits for a raise. Steps recorded after the last poll come from the result.
 */
export async function followAgentRun(
  handle: AgentHandle,
  onSteps: (steps: AgentStep[]) => void,
  options: { pollMs?: number; sinceStep?: number } = {},
): Promise<FollowOutcome> {
  let sinceStep = options.sinceStep ?? 0;
  const finished = async (): Promise<FollowOutcome> => {
    const result = await handle.result();
    onSteps(result.trace.slice(sinceStep));
    return { kind: 'finished', result };
  };
  for (;;) {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') return finished();
    let progress: AgentProgress;
    try {
      progress = await queryAgentProgress(handle, sinceStep);
    } catch (error) {
      // The first workflow task may not have run yet, so the query handler is not registered.
      if (/query|handler|not registered|unknown/i.test((error as Error).message)) {
        await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 300));
        continue;
      }
      throw error;
    }
    sinceStep = progress.stepCount;
    onSteps(progress.steps);
    if (progress.status === 'finished') return finished();
    if (progress.status === 'waiting_for_caps') return { kind: 'waiting_for_caps', progress };
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 300));
  }
}

/** Starts a document-analysis run over files and folders. */
export function startAnalysisRun(
  client: Client,
  request: AnalysisRequest,
  options: StartRunOptions = {},
): Promise<WorkflowHandle<typeof analyzeCorpusWorkflow>> {
  validateRequest(AnalysisInputSchema, request, 'analysis');
  return startRun<typeof analyzeCorpusWorkflow>(
    client,
    {
      workflowType: 'analyzeCorpusWorkflow',
      kind: 'analysis',
      idPrefix: 'analyze',
      model: request.model,
      summary: `Analysis ${request.spec.name} of ${request.paths.join(', ')} on ${request.model}`,
      request,
    },
    options,
  );
}

/** An analysis run's progress with its running documents' chunks, tokens and cost added in. */
export async function analysisProgress(
  client: Client,
  handle: WorkflowHandle<typeof analyzeCorpusWorkflow>,
): Promise<AnalysisProgress> {
  const corpus = await handle.query<AnalysisProgress>('analysisProgress');
  const running = await Promise.all(
    corpus.running.map((workflowId) =>
      // A document that has just started or just ended may not answer: it is counted next time.
      client.workflow
        .getHandle(workflowId)
        .query<DocumentProgress>('analysisProgress')
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
