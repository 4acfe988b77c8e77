import { readFileSync } from 'node:fs';
import { parseYaml } from '../parse-yaml.js';
import {
  PromptTemplateFileSchema,
  type PromptRef,
  type PromptTemplate,
} from '../../common/prompt-template.js';

/** A template file that cannot be used; the message starts with the file's path. */
export class PromptFileError extends Error {}

function formatIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .map(
      (issue) =>
        `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)'}: ${issue.message}`,
    )
    .join('; ');
}

/**
 * Reads one `<id>/<version>.yaml` file: YAML, then the template schema (unknown keys refused),
 * then the `id` and `version` fields against the path, which is where `get` will look for them.
 * Synchronous: it runs once at worker start-up, before anything else could use the time.
 */
export function readPromptFile(file: string, expected: PromptRef): PromptTemplate {
  const fail = (problem: string): never => {
    throw new PromptFileError(`${file}: ${problem}`);
  };
  const yaml = parseYaml(readFileSync(file, 'utf8'));
  if ('problem' in yaml) return fail(yaml.problem);
  const parsed = PromptTemplateFileSchema.safeParse(yaml.value);
  if (!parsed.success) return fail(`not a valid prompt template: ${formatIssues(parsed.error.issues)}`);
  const template = parsed.data;
  if (template.id !== expected.id)
    fail(
      `id "${template.id}" does not match its folder "${expected.id}"; a template lives in <id>/<version>.yaml`,
    );
  if (template.version !== expected.version)
    fail(
      `version "${template.version}" does not match its file name "${expected.version}.yaml"; a template lives in <id>/<version>.yaml`,
    );
  return template;
}
