import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { describeZodIssues } from '../common/describe-issues.js';
import { McpServersSchema, type McpServers } from '../common/mcp-servers.js';
import { WorkerConfigSchema } from './config.js';
import { isBuilt } from './project-root.js';
import type { LlmosConfig } from './define-config.js';
import { builtInToolNames } from '../common/tool-names.js';
import type { Tool } from '../activities/tools/tool.js';
import { createToolRegistry, ToolDefinitionError } from '../activities/tools/tool-registry.js';

/** The project's additions, checked: every tool definition sound, every server's settings valid. */
export interface WorkerExtensions {
  tools: readonly Tool[];
  mcpServers: McpServers;
  /** Worker settings (environment names) the environment has not set; see `LlmosConfig.settings`. */
  settings: Readonly<Record<string, string>>;
}

/** The file names `llmos worker` looks for in its working folder when LLMOS_CONFIG_FILE is unset. */
export const projectConfigFileNames = [
  'llmos.config.ts',
  'llmos.config.mts',
  'llmos.config.js',
  'llmos.config.mjs',
];

const LlmosConfigSchema = z
  .object({
    tools: z
      .array(
        z.custom<Tool>((value) => typeof value === 'object' && value !== null, 'not a tool (use defineTool)'),
      )
      .default([]),
    mcpServers: McpServersSchema.default({}),
    settings: z
      .record(z.string(), z.string())
      .superRefine((settings, context) => {
        for (const name of Object.keys(settings))
          if (!Object.hasOwn(WorkerConfigSchema.shape, name))
            context.addIssue({ code: 'custom', path: [name], message: 'not a worker setting' });
      })
      .default({}),
  })
  .strict();

/**
 * The project's additions checked, so a worker with a bad one never starts: tool definitions as
 * `createToolRegistry` checks them, no tool or server named like a built-in tool or like each
 * other, and each MCP server's settings by `McpServersSchema`. `source` names where they came from
 * in the error. Throws `ToolDefinitionError` or an `Error` that names the setting.
 */
export function checkWorkerExtensions(config: LlmosConfig, source = 'the worker options'): WorkerExtensions {
  const parsed = LlmosConfigSchema.safeParse(config);
  if (!parsed.success) throw new Error(`${source}: ${describeZodIssues(parsed.error.issues).join('; ')}`);
  const { tools, mcpServers, settings } = parsed.data;
  createToolRegistry(tools);
  const builtIn = new Set<string>(builtInToolNames);
  for (const tool of tools)
    if (builtIn.has(tool.name))
      throw new ToolDefinitionError(`tool "${tool.name}": the name is taken by an llmos built-in tool`);
  const toolNames = new Set([...builtIn, ...tools.map((tool) => tool.name)]);
  for (const server of Object.keys(mcpServers))
    if (toolNames.has(server))
      throw new Error(
        `${source}: MCP server "${server}" has the name of a tool; a run could not tell them apart`,
      );
  return { tools, mcpServers, settings };
}

let typeScriptRegistered = !isBuilt;

/**
 * Lets `import()` load TypeScript, once. The sources run through tsx already; the built package
 * runs on plain Node (tsx's loader costs its start-up a second and 90 MB) and registers it only
 * for a project whose config is TypeScript.
 */
async function registerTypeScript(): Promise<void> {
  if (typeScriptRegistered) return;
  const { register } = await import('tsx/esm/api');
  register();
  typeScriptRegistered = true;
}

/**
 * The project's `llmos.config` file: `file` when given (LLMOS_CONFIG_FILE), else the first of
 * `projectConfigFileNames` in `folder`; nothing to add when there is none. The file's default
 * export (or its named `tools` and `mcpServers`) is checked by `checkWorkerExtensions`. A `.ts`
 * file is loaded through tsx (`registerTypeScript`).
 */
export async function loadProjectConfig(
  file: string | undefined,
  folder = process.cwd(),
): Promise<WorkerExtensions & { file?: string }> {
  const found = file ?? projectConfigFileNames.map((name) => path.join(folder, name)).find(existsSync);
  if (!found) return { tools: [], mcpServers: {}, settings: {} };
  const resolved = path.resolve(folder, found);
  if (!existsSync(resolved)) throw new Error(`the llmos config file ${found} does not exist`);
  let module: { default?: unknown; tools?: unknown; mcpServers?: unknown };
  try {
    if (/\.[cm]?ts$/.test(resolved)) await registerTypeScript();
    module = (await import(pathToFileURL(resolved).href)) as typeof module;
  } catch (error) {
    throw new Error(`cannot load the llmos config file ${found}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const exported =
    module.default ?? Object.fromEntries(Object.entries(module).filter(([key]) => key !== 'default'));
  if (typeof exported !== 'object' || exported === null)
    throw new Error(
      `${found}: export the configuration as default (export default defineConfig({ tools, mcpServers }))`,
    );
  return { ...checkWorkerExtensions(exported, found), file: resolved };
}

/** One line for the worker's start-up log: which tools and MCP servers the project added, from where. */
export function describeExtensions(project: WorkerExtensions & { file?: string }): string {
  const tools = project.tools.map((tool) => tool.name).join(', ') || 'none';
  const servers = Object.keys(project.mcpServers).join(', ') || 'none';
  const settings = Object.keys(project.settings);
  return `project ${project.file ?? '(options)'}: tools ${tools}; MCP servers ${servers}${settings.length > 0 ? `; settings ${settings.join(', ')}` : ''}`;
}
