import type { ChatMessage } from '../../common/chat.js';
import { formatPromptRef, type PromptRef, type PromptTemplate } from '../../common/prompt-template.js';
import { renderPrompt, systemMessageLayout } from '../../common/render-prompt.js';

/**
 * The templates a run uses, fetched once by one activity so their exact text is in history:
 * a template edited on disk while the run is in flight cannot change how it replays.
 */
export class PromptSet {
  private readonly byRef = new Map<string, PromptTemplate>();

  constructor(templates: readonly PromptTemplate[]) {
    for (const template of templates) this.byRef.set(formatPromptRef(template), template);
  }

  /** @throws Error when the template was not loaded or a variable is missing. */
  render(ref: PromptRef, variables: Record<string, string>): ChatMessage[] {
    return renderPrompt(this.template(ref), variables).messages;
  }

  /** The template's system message before its variables are filled: what its canary token is made from. */
  systemLayout(ref: PromptRef): string {
    return systemMessageLayout(this.template(ref));
  }

  private template(ref: PromptRef): PromptTemplate {
    const template = this.byRef.get(formatPromptRef(ref));
    if (!template) throw new Error(`prompt ${formatPromptRef(ref)} was not loaded for this run`);
    return template;
  }
}
