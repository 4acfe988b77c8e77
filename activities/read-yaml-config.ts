import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { describeIssues } from '../common/describe-issues.js';
import { parseYaml } from './parse-yaml.js';

/** A configuration file that cannot be used; the message starts with the file's path. */
export class ConfigFileError extends Error {}

/**
 * Reads a YAML configuration file and checks it with its zod schema. Synchronous: it runs once,
 * when a worker starts, and a bad file stops the worker with every problem named (`what` says
 * what the file is, e.g. `guard configuration`).
 */
export function readYamlConfig<Schema extends z.ZodType>(
  file: string,
  schema: Schema,
  what: string,
): z.output<Schema> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigFileError(`${file}: cannot read the ${what} (${(error as Error).message})`);
  }
  const yaml = parseYaml(text);
  if ('problem' in yaml) throw new ConfigFileError(`${file}: ${yaml.problem}`);
  const parsed = schema.safeParse(yaml.value);
  if (!parsed.success) {
    throw new ConfigFileError(
      `${file}: not a valid ${what}: ${describeIssues(parsed.error.issues, '(top level)').join('; ')}`,
    );
  }
  return parsed.data;
}
