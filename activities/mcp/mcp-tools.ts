import { ApplicationFailure } from '@temporalio/common';
import {
  ErrorCode,
  McpError,
  type CallToolResult,
  type Tool as McpTool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import {
  ToolNameSchema,
  type DescribedTools,
  type ToolCallOptions,
  type ToolSpec,
} from '../../common/chat.js';
import { describeZodIssues } from '../../common/describe-issues.js';
import { ErrorType } from '../../common/errors.js';
import { mcpToolName, splitMcpToolName } from '../../common/mcp-servers.js';
import { spotlight } from '../../common/spotlight.js';
import { defineTool, ToolInputError, type Tool } from '../tools/tool.js';
import type { McpConnections } from './mcp-connections.js';

/** Pages of `tools/list` read at most: a server that keeps paging is not listing tools. */
const maxListPages = 50;

/** What a run offers of one MCP server: all its tools, or the one its full name names. */
export type McpDescribed = Pick<DescribedTools, 'specs'> & {
  calls: Record<string, ToolCallOptions>;
  /** The tools the server's settings say wait for a person (`requireApproval`). */
  approval: string[];
};

/**
 * The tools the MCP server `name` (or the one tool `server__tool`) offers, as specs a model is
 * shown, with each one's call options: a tool the server does not mark read-only or idempotent is
 * tried once (it may have done something before it failed), and every call's activity may run
 * for the server's timeout and a connect. Undefined when `name` is no configured server's.
 */
export async function describeMcpTools(
  connections: McpConnections,
  name: string,
): Promise<McpDescribed | undefined> {
  const whole = connections.has(name);
  const one = whole ? undefined : splitMcpToolName(name);
  if (!whole && !(one && connections.has(one.server))) return undefined;
  const server = whole ? name : one!.server;
  const listed = await listTools(connections, server);
  const chosen = one ? listed.filter((tool) => tool.name === one.tool) : listed;
  if (one && chosen.length === 0)
    throw ApplicationFailure.create({
      type: ErrorType.UnknownTool,
      message: `MCP server "${server}" has no tool "${one.tool}"; its tools: ${listed.map((tool) => tool.name).join(', ')}`,
      nonRetryable: true,
    });
  const config = connections.servers[server]!;
  const described: McpDescribed = { specs: [], calls: {}, approval: [] };
  for (const tool of chosen) {
    const spec = toSpec(server, tool);
    // A server's tool whose full name providers refuse is left out of a whole server's list;
    // named on its own, it fails the run, which could not offer it.
    if (!spec && one)
      throw ApplicationFailure.create({
        type: ErrorType.UnknownTool,
        message: `MCP tool "${mcpToolName(server, tool.name)}" has a name providers refuse (letters, digits, _ or -, up to 64)`,
        nonRetryable: true,
      });
    if (!spec) continue;
    described.specs.push(spec);
    if (config.requireApproval.includes(tool.name)) described.approval.push(spec.name);
    const safeToRepeat = tool.annotations?.readOnlyHint === true || tool.annotations?.idempotentHint === true;
    described.calls[spec.name] = {
      // The server's own timeout ends a call first, with a typed failure; this one backs it up.
      timeoutMs: config.timeoutMs + config.connectTimeoutMs + 5_000,
      ...(safeToRepeat ? {} : { maximumAttempts: 1 }),
    };
  }
  return described;
}

/** The MCP tool as a model sees it, or undefined when its full name is one providers refuse. */
function toSpec(server: string, tool: McpTool): ToolSpec | undefined {
  const name = mcpToolName(server, tool.name);
  if (!ToolNameSchema.safeParse(name).success) return undefined;
  const { $schema: _ignored, ...parameters } = tool.inputSchema as Record<string, unknown>;
  return { name, description: tool.description ?? tool.title ?? tool.name, parameters };
}

async function listTools(connections: McpConnections, server: string): Promise<McpTool[]> {
  const config = connections.servers[server]!;
  return withMcpFailures(
    connections,
    server,
    'tools/list',
    (text) => text,
    async () => {
      const { client } = await connections.connect(server);
      const tools: McpTool[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < maxListPages; page += 1) {
        const listed = await client.listTools(cursor ? { cursor } : undefined, { timeout: config.timeoutMs });
        tools.push(...listed.tools);
        cursor = listed.nextCursor;
        if (!cursor) return tools;
      }
      throw new Error(`tools/list still had more pages after ${maxListPages}`);
    },
  );
}

/**
 * The llmos tool that calls MCP tool `server__tool`, or undefined when `name` is no configured
 * server's. Arguments go to the server as the model wrote them (the server checks them against
 * the schema it listed); its answer comes back spotlighted, as outside text. An error the tool
 * reports (`isError`) or a refusal of the arguments is an observation for the model; a server
 * that is down or crashed, a call past its timeout, and a malformed answer are typed failures
 * (`McpUnavailable`, `McpTimeout`, `McpResultMalformed`).
 */
export function mcpToolFor(connections: McpConnections, name: string): Tool | undefined {
  const parts = splitMcpToolName(name);
  if (!parts || !connections.has(parts.server)) return undefined;
  const { server, tool } = parts;
  const config = connections.servers[server]!;
  return defineTool({
    name,
    description: `${tool} of MCP server ${server}`,
    inputSchema: z.looseObject({}),
    async execute(input, context) {
      // The server's words, errors included, reach the model marked as outside text.
      const marked = (text: string) =>
        spotlight(text, { source: `mcp:${server}/${tool}`, boundary: context.boundary });
      const result = await withMcpFailures(connections, server, tool, marked, async () => {
        const { client } = await connections.connect(server);
        return (await client.callTool({ name: tool, arguments: input }, undefined, {
          timeout: config.timeoutMs,
          signal: context.signal,
        })) as CallToolResult;
      });
      const text = marked(resultText(result));
      if (result.isError) throw new ToolInputError(`${name} reported an error: ${text}`);
      return text;
    },
  });
}

/** The result's content as text: text parts as they are, other kinds described in a line. */
function resultText(result: CallToolResult): string {
  const parts = result.content.map((part) => {
    switch (part.type) {
      case 'text':
        return part.text;
      case 'image':
      case 'audio':
        return `[${part.type} ${part.mimeType}, ${Math.floor((part.data.length * 3) / 4)} bytes]`;
      case 'resource':
        return 'text' in part.resource ? part.resource.text : `[resource ${part.resource.uri}]`;
      case 'resource_link':
        return `[resource ${part.uri}${part.name ? ` (${part.name})` : ''}]`;
      default:
        return '';
    }
  });
  const text = parts.filter((part) => part !== '').join('\n');
  if (text !== '') return text;
  if (result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  return '(the tool returned nothing)';
}

/**
 * Runs one request to `server`, turning what can go wrong into the failures a run acts on: the
 * server refusing the arguments becomes an observation for the model (`ToolInputError`); the
 * server down, crashed or gone mid-call is `McpUnavailable` and a call past its timeout
 * `McpTimeout` (both retried where the tool's policy allows); an answer that is not a result of
 * the protocol is `McpResultMalformed`, which no retry fixes.
 */
async function withMcpFailures<T>(
  connections: McpConnections,
  server: string,
  what: string,
  /** Marks the server's own words in what the model will read (a refusal of its arguments). */
  marked: (text: string) => string,
  request: () => Promise<T>,
): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof ToolInputError || error instanceof ApplicationFailure) throw error;
    const stderr = connections.stderrOf(server);
    const said = stderr ? ` (it wrote: ${stderr.slice(-300)})` : '';
    const where = `MCP server "${server}", ${what}`;
    if (error instanceof McpError) {
      const code = error.code as ErrorCode;
      if (code === ErrorCode.RequestTimeout)
        throw ApplicationFailure.create({
          type: ErrorType.McpTimeout,
          message: `${where}: no answer within ${connections.servers[server]!.timeoutMs} ms`,
        });
      if (code === ErrorCode.ConnectionClosed)
        throw ApplicationFailure.create({
          type: ErrorType.McpUnavailable,
          message: `${where}: the connection closed before the answer${said}`,
        });
      if (code === ErrorCode.InvalidParams || code === ErrorCode.MethodNotFound)
        throw new ToolInputError(`${where}: ${marked(error.message)}`);
      throw ApplicationFailure.create({
        type: ErrorType.ToolFailed,
        message: `${where}: ${error.message}`,
      });
    }
    if (isSchemaError(error))
      throw ApplicationFailure.create({
        type: ErrorType.McpResultMalformed,
        message: `${where}: the answer is not a valid MCP result: ${describeZodIssues((error as z.ZodError).issues).join('; ')}`,
        nonRetryable: true,
      });
    // `fetch failed` says little; its cause says what (ECONNREFUSED, a DNS failure).
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause ? ` (${cause.code ?? cause.message ?? 'no reason given'})` : '';
    throw ApplicationFailure.create({
      type: ErrorType.McpUnavailable,
      message: `${where}: ${(error as Error).message}${why}${said}`,
    });
  }
}

/** The SDK's check of an answer against the protocol's schema failed (a zod error, of its own zod copy). */
function isSchemaError(error: unknown): boolean {
  return (
    error instanceof z.ZodError ||
    (error instanceof Error && Array.isArray((error as { issues?: unknown }).issues))
  );
}
