import { ApplicationFailure } from '@temporalio/common';
import type { DescribedTools } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import type { McpConnections } from '../mcp/mcp-connections.js';
import { describeMcpTools } from '../mcp/mcp-tools.js';
import { toolCallOptions, toToolSpec, type ToolRegistry } from './tool-registry.js';

/**
 * Resolves tool names to the specs a model is shown, and says which tools are pure (run as local
 * activities), which wait for approval and which run with their own timeout or retries. A name
 * may be the worker's tool, an MCP server's (all its tools, listed from the server now) or one
 * MCP tool's full name (`files__read_file`).
 *
 * Run once at the start of a run, so all of it is recorded in history and replay never asks a
 * server. An unknown name fails the run at once (non-retryable `UnknownTool`); a server that
 * cannot be reached fails with `McpUnavailable`, which Temporal retries.
 */
export function createDescribeTools(registry: ToolRegistry, mcp?: McpConnections) {
  return async function describeTools(input: { names: string[] }): Promise<DescribedTools> {
    const described: Required<DescribedTools> = { specs: [], pure: [], approval: [], calls: {} };
    for (const name of input.names) {
      const tool = registry.get(name);
      if (tool) {
        described.specs.push(toToolSpec(tool));
        if (tool.pure === true) described.pure.push(name);
        if (tool.requireApproval === true) described.approval.push(name);
        const options = toolCallOptions(tool);
        if (options) described.calls[name] = options;
        continue;
      }
      const fromServer = mcp ? await describeMcpTools(mcp, name) : undefined;
      if (!fromServer) throw unknownTool(name, registry, mcp);
      described.specs.push(...fromServer.specs);
      described.approval.push(...fromServer.approval);
      Object.assign(described.calls, fromServer.calls);
    }
    const { calls, ...rest } = described;
    return Object.keys(calls).length > 0 ? { ...rest, calls } : rest;
  };
}

function unknownTool(
  name: string,
  registry: ToolRegistry,
  mcp: McpConnections | undefined,
): ApplicationFailure {
  const servers = Object.keys(mcp?.servers ?? {});
  return ApplicationFailure.create({
    type: ErrorType.UnknownTool,
    message:
      `unknown tool "${name}"; available tools: ${[...registry.keys()].join(', ')}` +
      (servers.length > 0 ? `; MCP servers: ${servers.join(', ')}` : ''),
    nonRetryable: true,
  });
}
