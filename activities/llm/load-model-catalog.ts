import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseYaml } from '../parse-yaml.js';
import { ModelCatalogError, parseModelCatalog, type ModelCatalog } from '../../common/model-catalog.js';

/** The catalog that ships with llmos, found relative to this file so any working directory works. */
export const builtInModelCatalogFile = fileURLToPath(new URL('../../config/models.yaml', import.meta.url));

/** `LLMOS_MODELS_FILE` when set (and not blank), else the built-in catalog. */
export function modelCatalogFile(env: Readonly<Record<string, string | undefined>>): string {
  const configured = env.LLMOS_MODELS_FILE?.trim();
  return configured ? configured : builtInModelCatalogFile;
}

/**
 * Reads and validates a catalog file. Synchronous, like the prompt library: it runs once at
 * worker start-up. Every error is a `ModelCatalogError` whose message starts with the file's
 * path: unreadable, not YAML (with line and column), or each `key path: problem` of the schema.
 */
export function loadModelCatalog(file: string): ModelCatalog {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModelCatalogError(`${file}: cannot read the model catalog (${(error as Error).message})`);
  }
  const parsed = parseYaml(text);
  if ('problem' in parsed) throw new ModelCatalogError(`${file}: ${parsed.problem}`);
  return parseModelCatalog(parsed.value, file);
}
