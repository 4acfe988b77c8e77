import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { ToolSpec } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import type { Tool } from './tool.js';

export type ToolRegistry = ReadonlyMap<string, Tool>;

export function createToolRegistry(tools: readonly Tool[]): ToolRegistry {
  return new Map(tools.map((tool) => [tool.name, tool]));
}

/** The tool, or a non-retryable `UnknownTool` failure that lists the tools there are. */
export function getTool(registry: ToolRegistry, name: string): Tool {
  const tool = registry.get(name);
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
