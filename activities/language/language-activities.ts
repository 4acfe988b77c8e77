import { detectLanguage, type DetectedLanguage } from './detect-language.js';

export interface DetectLanguageInput {
  text: string;
}

/**
 * Language detection for workflows: eld's tables take some 60 MB of heap, once per worker, which
 * no workflow sandbox should load. Pure and deterministic, so a retry gives the same answer.
 */
export function createLanguageActivities() {
  return {
    detectLanguage(input: DetectLanguageInput): Promise<DetectedLanguage> {
      return detectLanguage(input.text);
    },
  };
}
