/**
 * Workflow types registered by llmos workers. Export names are stored in history: they are
 * public API and are never renamed lightly.
 */
export { reactAgentWorkflow } from './react-agent.js';
