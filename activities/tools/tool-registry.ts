import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { ToolNameSchema, type ToolCallOptions, type ToolSpec } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import { mcpToolSeparator } from '../../common/tool-names.js';
import type { McpConnections } from '../mcp/mcp-connections.js';
import { mcpToolFor } from '../mcp/mcp-tools.js';
import { defaultToolCall, type Tool } from './tool.js';

export type ToolRegistry = ReadonlyMap<string, Tool>;

/** A tool definition the worker cannot offer; the message names the tool and what is wrong. */
export class ToolDefinitionError extends Error {
  override readonly name = 'ToolDefinitionError';
}

/**
 * The worker's tools by name. Every definition is checked first, so a bad one stops the worker at
 * start rather than a run later: a name the providers refuse or used twice, no description, an
 * input schema that is not a zod object schema convertible to JSON Schema, or options that
 * contradict each other. Throws `ToolDefinitionError` naming the tool.
 */
export function createToolRegistry(tools: readonly Tool[]): ToolRegistry {
  const registry = new Map<string, Tool>();
  tools.forEach((tool, index) => {
    checkToolDefinition(tool, index);
    if (registry.has(tool.name)) throw new ToolDefinitionError(`tool "${tool.name}" is defined twice`);
    registry.set(tool.name, tool);
  });
  return registry;
}

function checkToolDefinition(tool: Tool, index: number): void {
  if (typeof tool !== 'object' || tool === null)
    throw new ToolDefinitionError(`tool #${index + 1} is not a tool definition (use defineTool)`);
  const name: unknown = tool.name;
  const label = typeof name === 'string' && name !== '' ? `tool "${name}"` : `tool #${index + 1}`;
  const fail = (problem: string): never => {
    throw new ToolDefinitionError(`${label}: ${problem}`);
  };
  const named = ToolNameSchema.safeParse(name);
  if (!named.success) fail(`bad name: ${named.error.issues[0]?.message ?? 'not a string'}`);
  if ((name as string).includes(mcpToolSeparator))
    fail(`names may not contain "${mcpToolSeparator}", which marks an MCP server's tools`);
  if (typeof tool.description !== 'string' || tool.description.trim() === '')
    fail('needs a description: the model chooses tools by it');
  if (typeof tool.execute !== 'function') fail('needs an execute function');
  if (!(tool.inputSchema instanceof z.ZodType)) fail('inputSchema must be a zod schema');
  let parameters: Record<string, unknown>;
  try {
    parameters = z.toJSONSchema(tool.inputSchema, { target: 'draft-7' });
  } catch (error) {
    return fail(`inputSchema does not convert to JSON Schema: ${(error as Error).message}`);
  }
  if (parameters.type !== 'object')
    fail('inputSchema must be an object schema (z.object): providers take named arguments');
  if (tool.pure && tool.sideEffects) fail('cannot be both pure and have side effects');
  if (tool.pure && tool.requireApproval) fail('a pure tool has nothing for a person to approve');
  if (tool.timeoutMs !== undefined && !(Number.isInteger(tool.timeoutMs) && tool.timeoutMs > 0))
    fail(`timeoutMs must be a positive whole number of milliseconds, not ${String(tool.timeoutMs)}`);
  const attempts = tool.retry?.maximumAttempts;
  if (attempts !== undefined && !(Number.isInteger(attempts) && attempts >= 1))
    fail(`retry.maximumAttempts must be a whole number of at least 1, not ${String(attempts)}`);
}

/**
 * The tool: the worker's own, or the MCP tool a full name (`files__read_file`) stands for; else
 * a non-retryable `UnknownTool` failure that lists the tools there are.
 */
export function getTool(registry: ToolRegistry, name: string, mcp?: McpConnections): Tool {
  const tool = registry.get(name) ?? (mcp ? mcpToolFor(mcp, name) : undefined);
  if (tool) return tool;
  throw ApplicationFailure.create({
    type: ErrorType.UnknownTool,
    message: `unknown tool "${name}"; available tools: ${[...registry.keys()].join(', ')}`,
    nonRetryable: true,
  });
}

/** The tool as a model sees it: name, description and the JSON Schema of its zod input schema. */
export function toToolSpec(tool: Tool): ToolSpec {
  const { $schema: _ignored, ...parameters } = z.toJSONSchema(tool.inputSchema, {
    target: 'draft-7',
  }) as Record<string, unknown>;
  return { name: tool.name, description: tool.description, parameters };
}

/**
 * How the tool's calls run, where that differs from `defaultToolCall`; undefined when it does
 * not. A tool with side effects makes one attempt unless its `retry` allows more.
 */
export function toolCallOptions(
  tool: Pick<Tool, 'timeoutMs' | 'retry' | 'sideEffects'>,
): ToolCallOptions | undefined {
  const attempts = tool.retry?.maximumAttempts ?? (tool.sideEffects ? 1 : defaultToolCall.maximumAttempts);
  const options: ToolCallOptions = {
    ...(tool.timeoutMs !== undefined && tool.timeoutMs !== defaultToolCall.timeoutMs
      ? { timeoutMs: tool.timeoutMs }
      : {}),
    ...(attempts !== defaultToolCall.maximumAttempts ? { maximumAttempts: attempts } : {}),
    ...(tool.retry?.initialIntervalMs !== undefined
      ? { initialIntervalMs: tool.retry.initialIntervalMs }
      : {}),
    ...(tool.retry?.maximumIntervalMs !== undefined
      ? { maximumIntervalMs: tool.retry.maximumIntervalMs }
      : {}),
  };
  return Object.keys(options).length > 0 ? options : undefined;
}
