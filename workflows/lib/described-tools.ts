import type { DescribedTools, ToolSpec } from '../../common/chat.js';

/**
 * What `describeTools` gave: runs recorded before tools could be pure got the specs alone, and
 * run every tool as an activity, as they did.
 */
export function describedTools(result: DescribedTools | ToolSpec[]): DescribedTools {
  return Array.isArray(result) ? { specs: result, pure: [] } : result;
}
