/** The prompt library a worker with this environment would load, for `llmos prompts`. */
import { loadPromptLibrary, type PromptLibrary } from '../../activities/prompts/prompt-library.js';
import { promptDirectories, WorkerConfigSchema } from '../config.js';

export { countSystemPromptTokens } from '../../activities/prompts/system-prompt-size.js';

/** The built-in prompts/, then LLMOS_PROMPTS_DIRECTORIES. */
export function workerPromptLibrary(env: NodeJS.ProcessEnv = process.env): PromptLibrary {
  // Only the prompt setting: a bad value elsewhere in the worker's environment is not the caller's business.
  const config = WorkerConfigSchema.pick({ LLMOS_PROMPTS_DIRECTORIES: true }).parse(env);
  return loadPromptLibrary(promptDirectories(config));
}
