import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeIssues } from '../../common/describe-issues.js';
import { GuardConfigSchema, type GuardConfig, type GuardProfile } from '../../common/guards.js';
import { parseYaml } from '../parse-yaml.js';

/** The guard configuration that ships with llmos. */
export const builtInGuardsFile = fileURLToPath(new URL('../../config/guards.yaml', import.meta.url));

/** A guard configuration that cannot be used; the message starts with the file's path. */
export class GuardConfigError extends Error {}

/** Reads and checks a guard configuration file (LLMOS_GUARDS_FILE, else the built-in one). */
export function loadGuardConfig(file: string = builtInGuardsFile): GuardConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new GuardConfigError(`${file}: cannot read the guard configuration (${(error as Error).message})`);
  }
  const yaml = parseYaml(text);
  if ('problem' in yaml) throw new GuardConfigError(`${file}: ${yaml.problem}`);
  const parsed = GuardConfigSchema.safeParse(yaml.value);
  if (!parsed.success) {
    throw new GuardConfigError(
      `${file}: not a valid guard configuration: ${describeIssues(parsed.error.issues, '(top level)').join('; ')}`,
    );
  }
  return parsed.data;
}

/** The profile of a tenant, or the default one for a run without a tenant or an unknown one. */
export function guardProfileFor(config: GuardConfig, tenant?: string): GuardProfile {
  return (tenant !== undefined ? config.tenants[tenant] : undefined) ?? config.default;
}
