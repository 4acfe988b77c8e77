import { createCallChatModel } from './llm/call-chat-model.js';
import type { ModelResolver } from './llm/model-resolver.js';
import { createLoadPrompts } from './prompts/load-prompts.js';
import type { PromptLibrary } from './prompts/prompt-library.js';
import { createDescribeTools } from './tools/describe-tools.js';
import { createRunTool } from './tools/run-tool.js';
import type { ToolRegistry } from './tools/tool-registry.js';

export interface ActivityDependencies {
  resolveModel: ModelResolver;
  tools: ToolRegistry;
  prompts: PromptLibrary;
}

/**
 * Every side effect llmos performs, bound to the worker's dependencies. Workflows import the
 * type of this object only (`import type`) and reach the functions through `proxyActivities`.
 */
export function createActivities(dependencies: ActivityDependencies) {
  return {
    callChatModel: createCallChatModel(dependencies.resolveModel),
    describeTools: createDescribeTools(dependencies.tools),
    loadPrompts: createLoadPrompts(dependencies.prompts),
    runTool: createRunTool(dependencies.tools),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { CallChatModelInput, CallChatModelOutput } from './llm/call-chat-model.js';
export type { LoadPromptsInput } from './prompts/load-prompts.js';
export type { RunToolInput, RunToolOutput } from './tools/run-tool.js';
