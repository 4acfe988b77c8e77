/**
 * Workflow types registered by llmos workers. Export names are stored in history: they are
 * public API and are never renamed lightly.
 */
export { reactAgentWorkflow } from './react-agent.js';
export { planSolveVerifyWorkflow } from './plan-solve-verify.js';
export { selfConsistencyWorkflow } from './self-consistency.js';
export { nl2sqlWorkflow } from './nl2sql.js';
export { analyzeDocumentWorkflow } from './analyze-document.js';
export { analyzeCorpusWorkflow } from './analyze-corpus.js';
export { budgetLedgerWorkflow } from './budget-ledger.js';
