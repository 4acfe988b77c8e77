/**
 * llmos's jobs as functions a project's own workflow awaits: each starts the job's workflow as a
 * child and resolves to its result. A child, not an inline call, because a run keeps its own
 * history, answers its own queries and updates (progress, raised caps, approvals) and continues
 * as new when its history grows, none of which it could do inside another workflow.
 *
 * Deterministic: the child's id is the parent's id, the job and a `uuid4()` of the workflow's
 * seeded random, the same on every replay. The child fails the await with a `ChildWorkflowFailure`
 * when it fails (input its schema refuses, say); a run that stops on a cap resolves, with the
 * stop reason in its result.
 */
import { executeChild, uuid4, workflowInfo } from '@temporalio/workflow';
import type { AgentRequest, AgentResult } from '../common/agent.js';
import type { AnalysisRequest, AnalysisResult } from '../common/analysis.js';
import type { JobKind } from '../common/job-kinds.js';
import type { PsvRequest, PsvResult } from '../common/psv.js';
import type { SqlRequest, SqlResult } from '../common/sql.js';
import { reactAgentWorkflow } from './agent.js';
import { analyzeCorpusWorkflow } from './analysis.js';
import { planSolveVerifyWorkflow } from './psv.js';
import { nl2sqlWorkflow } from './sql.js';

export interface ChildRunOptions {
  /** Default: `<parent id>/<kind>-<uuid>`. */
  workflowId?: string;
  /** Default: the parent's task queue. */
  taskQueue?: string;
}

function childOptions(kind: JobKind, options: ChildRunOptions) {
  return {
    workflowId: options.workflowId ?? `${workflowInfo().workflowId}/${kind}-${uuid4()}`,
    ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
  };
}

export function runAgent(request: AgentRequest, options: ChildRunOptions = {}): Promise<AgentResult> {
  return executeChild(reactAgentWorkflow, { args: [request], ...childOptions('agent', options) });
}

export function runPsv(request: PsvRequest, options: ChildRunOptions = {}): Promise<PsvResult> {
  return executeChild(planSolveVerifyWorkflow, { args: [request], ...childOptions('psv', options) });
}

export function runSql(request: SqlRequest, options: ChildRunOptions = {}): Promise<SqlResult> {
  return executeChild(nl2sqlWorkflow, { args: [request], ...childOptions('sql', options) });
}

export function runAnalysis(
  request: AnalysisRequest,
  options: ChildRunOptions = {},
): Promise<AnalysisResult> {
  return executeChild(analyzeCorpusWorkflow, { args: [request], ...childOptions('analysis', options) });
}
