import { Client, Connection, WorkflowIdConflictPolicy, type WorkflowHandle } from '@temporalio/client';
import {
  AgentInputSchema,
  type AgentCaps,
  type AgentProgress,
  type AgentRequest,
  type AgentResult,
  type AgentStep,
  type CapsRaise,
} from '../common/agent.js';
import { ModelRefSchema } from '../common/model-ref.js';
import { LlmosKind, LlmosModel, llmosSearchAttributeKeys } from '../common/search-attributes.js';
import { defaultTaskQueue } from '../common/task-queues.js';
import { agentProgressQuery, raiseCapsUpdate } from '../workflows/messages.js';
import type { reactAgentWorkflow } from '../workflows/react-agent.js';

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

/** The request validated as the workflow will validate it, so bad input is reported before anything starts. */
export function validateAgentRequest(request: AgentRequest): AgentRequest {
  const parsed = AgentInputSchema.safeParse(request);
  if (parsed.success) return request;
  const problems = parsed.error.issues.map(
    (issue) => `  ${issue.path.join('.') || 'input'}: ${issue.message}`,
  );
  throw new Error(`invalid agent request:\n${problems.join('\n')}`);
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

/**
 * Starts a ReAct agent run. Where the namespace has the llmos search attributes, the run's kind
 * and model are set at the start and its stop reason, cost and tokens kept up to date, for the UI.
 */
export async function startAgentRun(
  client: Client,
  request: AgentRequest,
  options: { taskQueue?: string; workflowId?: string } = {},
): Promise<AgentHandle> {
  validateAgentRequest(request);
  const model = ModelRefSchema.parse(request.model);
  const searchable = await hasLlmosSearchAttributes(client);
  return client.workflow.start<typeof reactAgentWorkflow>('reactAgentWorkflow', {
    args: [{ ...request, recordSearchAttributes: searchable }],
    taskQueue: options.taskQueue ?? process.env.LLMOS_TASK_QUEUE ?? defaultTaskQueue,
    workflowId: options.workflowId ?? `agent-${crypto.randomUUID()}`,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    ...(searchable
      ? {
          typedSearchAttributes: [
            { key: LlmosKind, value: 'react' },
            { key: LlmosModel, value: `${model.provider}:${model.model}` },
          ],
        }
      : {}),
    staticSummary: `ReAct agent on ${request.model}: ${request.question.slice(0, 120)}`,
  });
}

export function getAgentHandle(client: Client, workflowId: string): AgentHandle {
  return client.workflow.getHandle<typeof reactAgentWorkflow>(workflowId);
}

export function queryAgentProgress(handle: AgentHandle, sinceStep = 0): Promise<AgentProgress> {
  return handle.query(agentProgressQuery, sinceStep);
}

export function raiseAgentCaps(handle: AgentHandle, raise: CapsRaise): Promise<AgentCaps> {
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
