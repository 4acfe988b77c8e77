/**
 * Workflow types registered by llmos workers, one file per job. Export names are the workflow
 * types stored in history and used by running workflows: public API, never renamed lightly. They
 * predate the job names, so they differ from their files:
 *
 * | job      | file                   | workflow type              |
 * | -------- | ---------------------- | -------------------------- |
 * | agent    | `agent.ts`             | `reactAgentWorkflow`       |
 * | psv      | `psv.ts`               | `planSolveVerifyWorkflow`  |
 * | sql      | `sql.ts`               | `nl2sqlWorkflow`           |
 * | analysis | `analysis.ts`          | `analyzeCorpusWorkflow`    |
 * |          | `analysis-document.ts` | `analyzeDocumentWorkflow`  |
 */
export { reactAgentWorkflow } from './agent.js';
export { planSolveVerifyWorkflow } from './psv.js';
export { selfConsistencyWorkflow } from './self-consistency.js';
export { nl2sqlWorkflow } from './sql.js';
export { analyzeDocumentWorkflow } from './analysis-document.js';
export { analyzeCorpusWorkflow } from './analysis.js';
export { budgetLedgerWorkflow } from './budget-ledger.js';
