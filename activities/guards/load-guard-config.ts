import { fileURLToPath } from 'node:url';
import { GuardConfigSchema, type GuardConfig, type GuardProfile } from '../../common/guards.js';
import { readYamlConfig } from '../read-yaml-config.js';

/** The guard configuration that ships with llmos. */
export const builtInGuardsFile = fileURLToPath(new URL('../../config/guards.yaml', import.meta.url));

/** Reads and checks a guard configuration file (LLMOS_GUARDS_FILE, else the built-in one). */
export function loadGuardConfig(file: string = builtInGuardsFile): GuardConfig {
  return readYamlConfig(file, GuardConfigSchema, 'guard configuration');
}

/** The profile of a tenant, or the default one for a run without a tenant or an unknown one. */
export function guardProfileFor(config: GuardConfig, tenant?: string): GuardProfile {
  return (tenant !== undefined ? config.tenants[tenant] : undefined) ?? config.default;
}
