import type { z } from 'zod';

/**
 * Zod issues as short `path: message` lines, the path dotted (`caps.maxIterations`, `tools.0`): for
 * requests, tool input and model output. `root` names the value itself when the path is empty.
 */
export function describeIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  root = 'input',
): string[] {
  return issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : root}: ${issue.message}`,
  );
}

/** `['turns', 2, 'toolCalls', 0, 'name']` -> `turns[2].toolCalls[0].name`, the way a JSON author reads it. */
export function formatIssuePath(path: readonly PropertyKey[], root = '(root)'): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text === '' ? root : text;
}

/** One `path: message` line per zod issue, the path as a JSON author reads it: for files people write (scripts, datasets). */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[], root?: string): string[] {
  return issues.map((issue) => `${formatIssuePath(issue.path, root)}: ${issue.message}`);
}
