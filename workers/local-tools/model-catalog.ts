/**
 * The model catalog a worker with this environment would load, for the CLI to check an alias
 * before it starts a run. Like every module of `workers/local-tools/`, it is a way from client/
 * into worker code (lint keeps client/ out of activities/), small so a command loads only what
 * it uses.
 */
import type { ModelCatalog } from '../../common/model-catalog.js';
import { loadModelCatalog, modelCatalogFile } from '../../activities/llm/load-model-catalog.js';

/** LLMOS_MODELS_FILE, else the built-in catalog. */
export function workerModelCatalog(env: NodeJS.ProcessEnv = process.env): ModelCatalog {
  return loadModelCatalog(modelCatalogFile(env));
}
