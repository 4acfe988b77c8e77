import type { Workflow } from '@temporalio/common';
import { WorkflowIdConflictPolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import type { z } from 'zod';
import { AgentInputSchema } from '../common/agent.js';
import { AnalysisInputSchema } from '../common/analysis.js';
import { CustomerServiceInputSchema } from '../common/customer-service.js';
import { KnowledgeIngestInputSchema } from '../common/knowledge.js';
import { describeIssues } from '../common/describe-issues.js';
import type { JobKind } from '../common/job-kinds.js';
import { PsvInputSchema } from '../common/psv.js';
import {
  LlmosFeedbackScore,
  LlmosKind,
  LlmosModel,
  runSearchAttributeKeys,
} from '../common/search-attributes.js';
import { SelfConsistencyInputSchema } from '../common/self-consistency.js';
import { SqlInputSchema } from '../common/sql.js';
import { defaultTaskQueue } from '../common/task-queues.js';
import type {
  analyzeCorpusWorkflow,
  customerServiceWorkflow,
  knowledgeIngestWorkflow,
  nl2sqlWorkflow,
  planSolveVerifyWorkflow,
  reactAgentWorkflow,
  selfConsistencyWorkflow,
} from '../workflows/index.js';

/** How a client starts each job: its workflow type, its input schema, and what the UI shows of it. */
interface JobStart<Request> {
  workflowType: string;
  schema: z.ZodType;
  /** The model as given (an alias included: the worker resolves it), for the `LlmosModel` attribute. */
  model: (request: Request) => string;
  /** The run's summary in the Temporal UI (cut at 200 characters). */
  summary: (request: Request) => string;
}

const jobStarts: { [Kind in JobKind]: JobStart<JobRequests[Kind]> } = {
  agent: {
    workflowType: 'reactAgentWorkflow',
    schema: AgentInputSchema,
    model: (request) => request.model,
    summary: (request) => `ReAct agent on ${request.model}: ${request.question}`,
  },
  psv: {
    workflowType: 'planSolveVerifyWorkflow',
    schema: PsvInputSchema,
    model: (request) => request.model,
    summary: (request) => `Plan -> Solve -> Verify on ${request.model}: ${request.task}`,
  },
  sql: {
    workflowType: 'nl2sqlWorkflow',
    schema: SqlInputSchema,
    model: (request) => request.model,
    summary: (request) => `NL2SQL on ${request.model}: ${request.question}`,
  },
  analysis: {
    workflowType: 'analyzeCorpusWorkflow',
    schema: AnalysisInputSchema,
    model: (request) => request.model,
    summary: (request) => `Analysis ${request.spec.name} of ${request.paths.join(', ')} on ${request.model}`,
  },
  knowledge: {
    workflowType: 'knowledgeIngestWorkflow',
    schema: KnowledgeIngestInputSchema,
    model: (request) => request.model ?? 'knowledge base default',
    summary: (request) => `Knowledge base ${request.base}: add ${request.paths.join(', ')}`,
  },
  'self-consistency': {
    workflowType: 'selfConsistencyWorkflow',
    schema: SelfConsistencyInputSchema,
    model: (request) => request.run.request.model,
    summary: (request) =>
      `${request.samples ?? 5} ${request.run.workflow} samples on ${request.run.request.model}`,
  },
  'customer-service': {
    workflowType: 'customerServiceWorkflow',
    schema: CustomerServiceInputSchema,
    model: (request) => request.model,
    summary: (request) =>
      `Customer-service session${request.config ? ` (${request.config.name} v${request.config.version})` : ''} with ${request.customer.id} on ${request.model}`,
  },
};

/** The workflow each job runs: its handle's result type, and its parameter is the job's request. */
export interface JobWorkflows {
  agent: typeof reactAgentWorkflow;
  psv: typeof planSolveVerifyWorkflow;
  sql: typeof nl2sqlWorkflow;
  analysis: typeof analyzeCorpusWorkflow;
  'self-consistency': typeof selfConsistencyWorkflow;
  knowledge: typeof knowledgeIngestWorkflow;
  'customer-service': typeof customerServiceWorkflow;
}

/** What each job's start request is (`AgentRequest`, `SqlRequest`, ...). */
export type JobRequests = { [Kind in JobKind]: Parameters<JobWorkflows[Kind]>[0] };

/**
 * A request validated as its workflow will validate it, so bad input is reported before anything
 * starts. Returns the request as given; the workflow applies the defaults.
 */
export function validateRequest<Kind extends JobKind>(
  kind: Kind,
  request: JobRequests[Kind],
): JobRequests[Kind] {
  const parsed = jobStarts[kind].schema.safeParse(request);
  if (parsed.success) return request;
  throw new Error(`invalid ${kind} request:\n  ${describeIssues(parsed.error.issues).join('\n  ')}`);
}

const registeredAttributes = new WeakMap<Client, Promise<Set<string>>>();

/** The custom search attributes the client's namespace has registered, asked once per client. */
function registeredSearchAttributes(client: Client): Promise<Set<string>> {
  let names = registeredAttributes.get(client);
  if (!names) {
    names = client.connection.operatorService
      .listSearchAttributes({ namespace: client.options.namespace })
      .then(({ customAttributes }) => new Set(Object.keys(customAttributes ?? {})));
    registeredAttributes.set(client, names);
  }
  return names;
}

/**
 * Whether the client's namespace has every search attribute llmos's runs set registered
 * (`llmos server` and docker-compose register them; other clusters may not). Feedback's own
 * attribute is not among them: a namespace registered before it keeps its runs' attributes.
 */
export async function hasLlmosSearchAttributes(client: Client): Promise<boolean> {
  const names = await registeredSearchAttributes(client);
  return runSearchAttributeKeys.every(({ name }) => names.has(name));
}

/** Whether the client's namespace has `LlmosFeedbackScore`, which `llmos feedback` sets where it can. */
export async function hasFeedbackSearchAttribute(client: Client): Promise<boolean> {
  return (await registeredSearchAttributes(client)).has(LlmosFeedbackScore.name);
}

export interface StartRunOptions {
  taskQueue?: string;
  /** Default: `<kind>-<uuid>`. */
  workflowId?: string;
}

/**
 * Starts a run of a job after validating its request. Where the namespace has the llmos search
 * attributes, the run's kind and model are set at the start and the workflow keeps its stop
 * reason, cost and tokens up to date, for the UI. Fails when the workflow id is taken.
 */
export async function startRun<Kind extends JobKind>(
  client: Client,
  kind: Kind,
  request: JobRequests[Kind],
  options: StartRunOptions = {},
): Promise<WorkflowHandle<JobWorkflows[Kind]>> {
  validateRequest(kind, request);
  const job = jobStarts[kind] as JobStart<JobRequests[Kind]>;
  const searchable = await hasLlmosSearchAttributes(client);
  const handle = await client.workflow.start(job.workflowType, {
    args: [{ ...request, recordSearchAttributes: searchable }],
    taskQueue: options.taskQueue ?? process.env.LLMOS_TASK_QUEUE ?? defaultTaskQueue,
    workflowId: options.workflowId ?? `${kind}-${crypto.randomUUID()}`,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    ...(searchable
      ? {
          typedSearchAttributes: [
            { key: LlmosKind, value: kind },
            { key: LlmosModel, value: job.model(request) },
          ],
        }
      : {}),
    staticSummary: job.summary(request).slice(0, 200),
  });
  // Started by type name, so the SDK cannot know the result type; the job names the workflow.
  return handle as WorkflowHandle<JobWorkflows[Kind] & Workflow>;
}
