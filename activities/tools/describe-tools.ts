import type { ToolSpec } from '../../common/chat.js';
import { getTool, toToolSpec, type ToolRegistry } from './tool-registry.js';

/**
 * Resolves tool names to the specs a model is shown. Run once at the start of a run so the exact
 * specs are recorded in history; an unknown name fails the run at once (non-retryable).
 */
export function createDescribeTools(registry: ToolRegistry) {
  return function describeTools(input: { names: string[] }): Promise<ToolSpec[]> {
    return Promise.resolve(input.names.map((name) => toToolSpec(getTool(registry, name))));
  };
}
