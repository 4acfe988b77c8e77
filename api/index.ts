/**
 * `llmos`: what a project writes against llmos anywhere (a config file, a tool module, a
 * script): its own tools, its configuration, and the requests and results of every job. Light to
 * import: no Temporal worker or provider SDK comes with it.
 *
 * Semver applies to what this file and `llmos/workflow`, `llmos/worker` and `llmos/client`
 * export; everything else in the package is internal.
 */
export {
  defineTool,
  ToolInputError,
  type Tool,
  type ToolContext,
  type ToolRetry,
} from '../activities/tools/tool.js';
export { defineConfig, type LlmosConfig } from '../workers/define-config.js';
export type { McpServerInput as McpServerConfig } from '../common/mcp-servers.js';
export { ErrorType } from '../common/errors.js';
export type { JobKind } from '../common/job-kinds.js';
export type {
  CapsRaise,
  ModelRetry,
  RunCaps,
  RunError,
  RunTotals,
  StopReason,
} from '../common/run-contract.js';
export type { AgentProgress, AgentRequest, AgentResult, AgentStep } from '../common/agent.js';
export type { PsvRequest, PsvResult } from '../common/psv.js';
export type { SqlRequest, SqlResult } from '../common/sql.js';
export type { AnalysisRequest, AnalysisResult } from '../common/analysis.js';
export type { SelfConsistencyRequest, SelfConsistencyResult } from '../common/self-consistency.js';
