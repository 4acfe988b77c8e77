import { formatPromptRef, type PromptTemplate } from '../../common/prompt-template.js';
import { systemMessageLayout } from '../../common/render-prompt.js';
import { countTokens } from './count-tokens.js';

/** System prompts stay short: it is paid on every model call of a run and dilutes the task. */
export const systemPromptTokenBudget = 1_000;

/** Tokens of the template's system message (system text, constraints, output format), placeholders unfilled. */
export function countSystemPromptTokens(template: PromptTemplate): number {
  return countTokens(systemMessageLayout(template));
}

/** A warning when the template's system message is over `systemPromptTokenBudget`, else undefined. */
export function systemPromptSizeWarning(template: PromptTemplate, file: string): string | undefined {
  const tokens = countSystemPromptTokens(template);
  if (tokens <= systemPromptTokenBudget) return undefined;
  return `${formatPromptRef(template)} (${file}): the system message is ${tokens} tokens, over the budget of ${systemPromptTokenBudget}; keep system prompts short`;
}
