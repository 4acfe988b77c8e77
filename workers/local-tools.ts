/**
 * Worker code the CLI runs in its own process, with no worker: what a worker started here would
 * load (its model catalog, its prompt library) and the checks the CLI makes before it starts a
 * run, or instead of one. The one way from client/ into activities/ (lint keeps it so), so the
 * activities' internals can move without the CLI noticing.
 */
import type { ModelCatalog } from '../common/model-catalog.js';
import { loadModelCatalog, modelCatalogFile } from '../activities/llm/load-model-catalog.js';
import { loadPromptLibrary, type PromptLibrary } from '../activities/prompts/prompt-library.js';
import { promptDirectories, WorkerConfigSchema } from './config.js';

export { listDocuments } from '../activities/analysis/ingest.js';
export { countSystemPromptTokens } from '../activities/prompts/system-prompt-size.js';
export { introspectDatabase } from '../activities/sql/open-database.js';
export { linkSchema } from '../activities/sql/schema-linking.js';
export { checkSql } from '../activities/sql/sql-guard.js';

/** The model catalog a worker with this environment would load (LLMOS_MODELS_FILE, else the built-in one). */
export function workerModelCatalog(env: NodeJS.ProcessEnv = process.env): ModelCatalog {
  return loadModelCatalog(modelCatalogFile(env));
}

/** The prompt library a worker with this environment would load (built-in prompts/, then LLMOS_PROMPTS_DIRECTORIES). */
export function workerPromptLibrary(env: NodeJS.ProcessEnv = process.env): PromptLibrary {
  // Only the prompt setting: a bad value elsewhere in the worker's environment is not the caller's business.
  const config = WorkerConfigSchema.pick({ LLMOS_PROMPTS_DIRECTORIES: true }).parse(env);
  return loadPromptLibrary(promptDirectories(config));
}
