/**
 * `llmos/worker`: llmos in a process that runs workers. Either llmos's own worker
 * (`createWorker`, what `llmos worker` runs), or llmos added to a project's own worker with the
 * Temporal plugin `createLlmosPlugin`. Both take the project's tools and MCP servers.
 */
export { createLlmosPlugin, type LlmosPluginOptions } from '../workers/llmos-plugin.js';
export { createWorker } from '../workers/create-worker.js';
export { parseWorkerConfig, type WorkerConfig } from '../workers/config.js';
export { loadProjectConfig } from '../workers/project-config.js';
export { temporalConnectionSettings } from '../workers/temporal-connection.js';
export { workflowsPath } from '../workers/workflow-bundle.js';
export { defineConfig, type LlmosConfig } from '../workers/define-config.js';
export { defineTool, ToolInputError, type Tool, type ToolContext } from '../activities/tools/tool.js';
