/**
 * `llmos/workflow`: llmos's workflows for a project's own workflow code, sandbox-safe. Re-export
 * them from the worker's `workflowsPath` module (`export * from 'llmos/workflow'`) and await a
 * job with `runAgent`, `runPsv`, `runSql` or `runAnalysis`, which start it as a child workflow:
 * each run is a workflow of its own, with its own history, caps, trace and queries, as one the
 * CLI starts.
 * The worker needs llmos's activities too (`createLlmosPlugin` from `llmos/worker`).
 *
 * Every export of workflows/index.ts is here: a run may start others (an analysis its documents,
 * a shared budget its ledger), which the worker must know.
 */
export * from '../workflows/index.js';
export { runAgent, runAnalysis, runPsv, runSql, type ChildRunOptions } from '../workflows/child-runs.js';
export {
  agentProgressQuery,
  analysisProgressQuery,
  approveToolCallUpdate,
  declineToolCallUpdate,
  pendingApprovalsQuery,
  psvProgressQuery,
  raiseCapsUpdate,
} from '../common/messages.js';
