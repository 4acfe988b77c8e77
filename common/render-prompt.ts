import { ApplicationFailure } from '@temporalio/common';
import type { ChatMessage } from './chat.js';
import { ErrorType } from './errors.js';
import { formatPromptRef, type PromptRef, type PromptTemplate } from './prompt-template.js';

/**
 * `{{name}}`, with optional spaces inside the braces. Names are plain identifiers on purpose:
 * anything else between double braces, such as the `{{steps.s1}}` references a plan prompt
 * teaches the model to write, is text and stays as written.
 */
const placeholderPattern = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export interface RenderedPrompt {
  /** Which template and version produced `messages`: record it with the model call. */
  prompt: PromptRef;
  messages: ChatMessage[];
}

/**
 * The system message with its placeholders still in it. The layout is fixed, sections separated
 * by one blank line:
 *
 * ```
 * <system>
 *
 * Constraints:
 * - <constraint>
 * - <constraint>
 *
 * Output format:
 * <outputFormat>
 * ```
 *
 * The constraints section appears only when there are constraints, the output format only when
 * it is set. Token budgets are measured on this text.
 */
export function systemMessageLayout(template: PromptTemplate): string {
  const sections = [template.system];
  if (template.constraints.length > 0)
    sections.push(
      ['Constraints:', ...template.constraints.map((constraint) => `- ${constraint}`)].join('\n'),
    );
  if (template.outputFormat) sections.push(`Output format:\n${template.outputFormat}`);
  return sections.join('\n\n');
}

function placeholderNames(text: string): string[] {
  return [...text.matchAll(placeholderPattern)].map((match) => match[1]!);
}

/** The variables a template needs: the placeholder names in its system, constraints, output format and task; sorted, unique. */
export function templateVariables(template: PromptTemplate): string[] {
  const names = [systemMessageLayout(template), template.task].flatMap(placeholderNames);
  // Code-unit order, not localeCompare: the same on every machine.
  return [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Fills every placeholder in one pass, so a value is inserted literally: a `{{x}}` or a `$&`
 * inside a value is never expanded again.
 */
function fill(text: string, variables: Readonly<Record<string, string>>): string {
  return text.replace(placeholderPattern, (_match, name: string) => variables[name]!);
}

/**
 * Renders a template into chat messages: one system message (`systemMessageLayout`), each
 * example as a user turn and an assistant turn, then the task as the last user turn. Examples
 * are shown as written, without placeholder filling. Extra variables are ignored.
 *
 * Pure and deterministic (the same template and variables give byte-identical messages), so
 * workflows may call it. A placeholder without a variable throws a non-retryable `InvalidInput`
 * `ApplicationFailure` naming the template and every missing variable: inside a workflow that
 * fails the run instead of retrying its workflow task forever.
 */
export function renderPrompt(
  template: PromptTemplate,
  variables: Readonly<Record<string, string>>,
): RenderedPrompt {
  const missing = templateVariables(template).filter((name) => !Object.hasOwn(variables, name));
  if (missing.length > 0)
    throw ApplicationFailure.create({
      type: ErrorType.InvalidInput,
      message: `prompt ${formatPromptRef(template)} needs variable${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`,
      nonRetryable: true,
    });
  const messages: ChatMessage[] = [
    { role: 'system', content: fill(systemMessageLayout(template), variables) },
  ];
  for (const example of template.examples) {
    messages.push({ role: 'user', content: example.input });
    messages.push({ role: 'assistant', content: example.output, toolCalls: [] });
  }
  messages.push({ role: 'user', content: fill(template.task, variables) });
  return { prompt: { id: template.id, version: template.version }, messages };
}
