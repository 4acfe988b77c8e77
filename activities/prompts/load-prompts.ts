import type { PromptRef, PromptTemplate } from '../../common/prompt-template.js';
import type { PromptLibrary } from './prompt-library.js';

export interface LoadPromptsInput {
  refs: PromptRef[];
}

/**
 * Looks up prompt templates by ref, in the order asked. Run it once at the start of a run: the
 * exact template text then lands in history, and the workflow renders it with `renderPrompt`,
 * so a replay or a worker with a newer library renders the same prompt. No I/O (the library is
 * loaded at worker start-up), idempotent; an unknown ref is a non-retryable `UnknownPrompt`
 * failure that lists the versions its id has.
 */
export function createLoadPrompts(library: PromptLibrary) {
  return function loadPrompts(input: LoadPromptsInput): Promise<PromptTemplate[]> {
    // An unknown ref rejects the promise rather than throwing before there is one.
    return new Promise((resolve) => resolve(input.refs.map((ref) => library.get(ref))));
  };
}
