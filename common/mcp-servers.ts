import { z } from 'zod';
import { mcpToolSeparator } from './tool-names.js';

/**
 * An MCP server's name in a worker's configuration: a run offers all of its tools by naming it
 * (`--tools files`), or one by its full name (`files__read_file`). It may not hold the separator,
 * or end with `_`, so a full name splits one way only.
 */
export const McpServerNameSchema = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,31}$/, 'MCP server names are 1-32 letters, digits, _ or -')
  .refine((name) => !name.includes(mcpToolSeparator) && !name.endsWith('_'), {
    message: `MCP server names may not contain "${mcpToolSeparator}" or end with "_"`,
  });

const common = {
  /** The server's tools (by its names for them) whose every call waits for a person to approve it. */
  requireApproval: z.array(z.string().min(1)).default([]),
  /** How long one tool call may take before it fails with `McpTimeout`. */
  timeoutMs: z.number().int().positive().default(60_000),
  /** How long connecting (starting the process, the MCP handshake) may take. */
  connectTimeoutMs: z.number().int().positive().default(15_000),
};

/** A server the worker starts as a child process and talks to over its stdin and stdout. */
export const McpStdioServerSchema = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    /** Added to a minimal environment (the MCP SDK's default: PATH, HOME and the like); never the worker's secrets. */
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().optional(),
    ...common,
  })
  .strict();

/** A server reached over Streamable HTTP, with headers such as `Authorization: Bearer ...`. */
export const McpHttpServerSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    headers: z.record(z.string(), z.string()).default({}),
    ...common,
  })
  .strict();

export const McpServerSchema = z.union([McpStdioServerSchema, McpHttpServerSchema], {
  error: 'an MCP server needs either `command` (stdio) or `url` (Streamable HTTP), and nothing else',
});
export type McpServer = z.infer<typeof McpServerSchema>;
export type McpServerInput = z.input<typeof McpServerSchema>;

/** Servers by name; a bad name is reported with its own rule (a record's key check says only "invalid key"). */
export const McpServersSchema = z.record(z.string(), McpServerSchema).superRefine((servers, context) => {
  for (const name of Object.keys(servers)) {
    const named = McpServerNameSchema.safeParse(name);
    if (!named.success)
      context.addIssue({
        code: 'custom',
        path: [name],
        message: named.error.issues[0]?.message ?? 'bad name',
      });
  }
});
export type McpServers = z.infer<typeof McpServersSchema>;

/** The server and tool a full MCP tool name (`files__read_file`) stands for; undefined for other names. */
export function splitMcpToolName(name: string): { server: string; tool: string } | undefined {
  const at = name.indexOf(mcpToolSeparator);
  if (at <= 0) return undefined;
  const tool = name.slice(at + mcpToolSeparator.length);
  return tool === '' ? undefined : { server: name.slice(0, at), tool };
}

export function mcpToolName(server: string, tool: string): string {
  return `${server}${mcpToolSeparator}${tool}`;
}
