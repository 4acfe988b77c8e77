import { createCallChatModel } from './llm/call-chat-model.js';
import type { ModelResolver } from './llm/model-resolver.js';
import { createDescribeTools } from './tools/describe-tools.js';
import { createRunTool } from './tools/run-tool.js';
import type { ToolRegistry } from './tools/tool-registry.js';

export interface ActivityDependencies {
  resolveModel: ModelResolver;
  tools: ToolRegistry;
}

/**
 * Every side effect llmos performs, bound to the worker's dependencies. Workflows import the
 * type of this object only (`import type`) and reach the functions through `proxyActivities`.
 */
export function createActivities(dependencies: ActivityDependencies) {
  return {
    callChatModel: createCallChatModel(dependencies.resolveModel),
    describeTools: createDescribeTools(dependencies.tools),
    runTool: createRunTool(dependencies.tools),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { CallChatModelInput, CallChatModelOutput } from './llm/call-chat-model.js';
export type { RunToolInput, RunToolOutput } from './tools/run-tool.js';
