import type { DescribedTools } from '../../common/chat.js';
import { getTool, toToolSpec, type ToolRegistry } from './tool-registry.js';

/**
 * Resolves tool names to the specs a model is shown, and says which tools are pure (run as local
 * activities). Run once at the start of a run so both are recorded in history; an unknown name
 * fails the run at once (non-retryable).
 */
export function createDescribeTools(registry: ToolRegistry) {
  return function describeTools(input: { names: string[] }): Promise<DescribedTools> {
    const tools = input.names.map((name) => getTool(registry, name));
    return Promise.resolve({
      specs: tools.map(toToolSpec),
      pure: tools.filter((tool) => tool.pure === true).map((tool) => tool.name),
      approval: tools.filter((tool) => tool.requireApproval === true).map((tool) => tool.name),
    });
  };
}
