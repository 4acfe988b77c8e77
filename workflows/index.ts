/**
 * Workflow types registered by llmos workers, one file per job. Export names are the workflow
 * types stored in history and used by running workflows: public API, never renamed lightly. They
 * predate the job names, so they differ from their files:
 *
 * | job              | file                   | workflow type             | under Worker Versioning |
 * | ---------------- | ---------------------- | ------------------------- | ----------------------- |
 * | agent            | `agent.ts`             | `reactAgentWorkflow`      | pinned                  |
 * | psv              | `psv.ts`               | `planSolveVerifyWorkflow` | pinned                  |
 * | self-consistency | `self-consistency.ts`  | `selfConsistencyWorkflow` | pinned                  |
 * | sql              | `sql.ts`               | `nl2sqlWorkflow`          | pinned                  |
 * | analysis         | `analysis.ts`          | `analyzeCorpusWorkflow`   | auto-upgrade            |
 * |                  | `analysis-document.ts` | `analyzeDocumentWorkflow` | auto-upgrade            |
 * | budget ledger    | `budget-ledger.ts`     | `budgetLedgerWorkflow`    | auto-upgrade            |
 * | knowledge        | `knowledge.ts`         | `knowledgeIngestWorkflow` | auto-upgrade            |
 * | customer-service | `customer-service.ts`  | `customerServiceWorkflow` | auto-upgrade            |
 * | feedback         | `feedback.ts`          | `runFeedbackWorkflow`     | auto-upgrade            |
 * | monitors         | `monitors.ts`          | `monitorWorkflow`         | auto-upgrade            |
 * |                  | `monitor-state.ts`     | `monitorStateWorkflow`    | auto-upgrade            |
 *
 * The last column applies only to a worker in a Worker Deployment (LLMOS_DEPLOYMENT_NAME). A run
 * of minutes is pinned: it finishes on the version that started it, so a change to its code needs
 * no `patched()` for the runs in flight, and the old version drains. An analysis of hundreds of
 * documents, a knowledge base's ingestion of thousands, a customer-service session (days) and a
 * budget ledger (which never ends) would hold an old version for hours or for ever, so they move
 * to the current version at their next workflow task: the worker's default (`auto-upgrade`), for
 * which every change must replay their recorded histories.
 */
import type { WorkflowDefinitionOptions } from '@temporalio/common';
import { setWorkflowOptions, workflowInfo } from '@temporalio/workflow';
import { reactAgentWorkflow } from './agent.js';
import { planSolveVerifyWorkflow } from './psv.js';
import { selfConsistencyWorkflow } from './self-consistency.js';
import { nl2sqlWorkflow } from './sql.js';

/**
 * Pinned on a versioned worker only: the server refuses a versioning behaviour from a worker
 * outside a Worker Deployment. Read once, when a worker first runs (or replays) the workflow; the
 * behaviour is reported with each task and changes no command, so replay is unaffected.
 */
const pinnedWhenVersioned = (): WorkflowDefinitionOptions =>
  workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'PINNED' } : {};

setWorkflowOptions(pinnedWhenVersioned, reactAgentWorkflow);
setWorkflowOptions(pinnedWhenVersioned, planSolveVerifyWorkflow);
setWorkflowOptions(pinnedWhenVersioned, selfConsistencyWorkflow);
setWorkflowOptions(pinnedWhenVersioned, nl2sqlWorkflow);

export { reactAgentWorkflow, planSolveVerifyWorkflow, selfConsistencyWorkflow, nl2sqlWorkflow };
export { analyzeDocumentWorkflow } from './analysis-document.js';
export { analyzeCorpusWorkflow } from './analysis.js';
export { budgetLedgerWorkflow } from './budget-ledger.js';
export { knowledgeIngestWorkflow } from './knowledge.js';
export { customerServiceWorkflow } from './customer-service.js';
export { runFeedbackWorkflow } from './feedback.js';
export { monitorWorkflow } from './monitors.js';
export { monitorStateWorkflow } from './monitor-state.js';
