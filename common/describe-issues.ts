/** Zod issues as short `path: message` lines; `root` names the value itself when the path is empty. */
export function describeIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  root = 'input',
): string[] {
  return issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : root}: ${issue.message}`,
  );
}
