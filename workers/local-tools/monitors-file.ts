/**
 * The monitors file (`config/monitors.yaml` by default), read and checked here by `llmos monitors
 * install` before it gives it to the Schedule: every problem named with the file's path, and
 * every alias a `switch_model` names checked against the worker's model catalog.
 */
import path from 'node:path';
import { ConfigFileError, readYamlConfig } from '../../activities/read-yaml-config.js';
import type { ModelCatalog } from '../../common/model-catalog.js';
import { MonitorsConfigSchema } from '../../common/monitors.js';
import { z } from 'zod';
import { projectRoot } from '../project-root.js';

/** The file's value as written, with the monitors schema's problems reported as its own. */
const checkedAsWritten = z.unknown().superRefine((raw, context) => {
  const parsed = MonitorsConfigSchema.safeParse(raw);
  if (!parsed.success)
    for (const { path: at, message } of parsed.error.issues)
      context.addIssue({ code: 'custom', path: at, message });
});

export const defaultMonitorsFile = path.join(projectRoot, 'config', 'monitors.yaml');

/**
 * The file as written (what the monitor workflow parses again, so the Schedule holds plain data),
 * after checking it parses with the monitors' schema.
 *
 * @throws ConfigFileError naming the file and each problem.
 */
export function readMonitorsFile(file: string, catalog: ModelCatalog): unknown {
  const raw = readYamlConfig(file, checkedAsWritten, 'monitors file');
  // Parsed again in memory: the check above has passed it.
  const config = MonitorsConfigSchema.parse(raw);
  // A switch of an alias the catalog lacks would never apply: said now, not discovered later.
  const unknown = config.monitors.flatMap((monitor) =>
    monitor.actions.flatMap((action) =>
      action.kind === 'switch_model' && !Object.hasOwn(catalog.aliases, action.alias)
        ? [`monitor ${monitor.name} switches "${action.alias}", which is no alias of the model catalog`]
        : [],
    ),
  );
  if (unknown.length > 0)
    throw new ConfigFileError(
      `${file}: ${unknown.join('; ')} (aliases: ${Object.keys(catalog.aliases).sort().join(', ')})`,
    );
  return raw;
}
