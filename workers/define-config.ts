import type { McpServerInput } from '../common/mcp-servers.js';
import type { Tool } from '../activities/tools/tool.js';

/**
 * What a project adds to llmos's workers, in `llmos.config.ts` (or `.mts`, `.js`, `.mjs`) or in
 * the worker's options: its own tools (`defineTool`) and the MCP servers whose tools runs may use.
 * Checked when the worker starts (`checkWorkerExtensions`).
 */
export interface LlmosConfig {
  tools?: readonly Tool[];
  /** By name: a run offers all of a server's tools by naming it (`--tools files`), or one as `files__read_file`. */
  mcpServers?: Readonly<Record<string, McpServerInput>>;
  /**
   * Worker settings by their environment names, for what a project keeps with its code: its
   * model catalog (`LLMOS_MODELS_FILE`), rate and token limits (`LLMOS_RATE_LIMITS`,
   * `LLMOS_TOKEN_LIMITS`), prompt folders. The environment overrides them; keep secrets there.
   */
  settings?: Readonly<Record<string, string>>;
}

/** Types a project's `llmos.config.ts`; returns it as it is. */
export function defineConfig(config: LlmosConfig): LlmosConfig {
  return config;
}
