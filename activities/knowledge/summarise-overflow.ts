import type { ChatRequest, ChatResponse } from '../../common/chat.js';
import { renderPrompt } from '../../common/render-prompt.js';
import { spotlight } from '../../common/spotlight.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';
import { cutToTokens } from './context-budget.js';

/** Below this many tokens of room, a summary would say nothing worth its call. */
export const minSummaryTokens = 40;

export interface OverflowSummary {
  /** The summary, at most `maxTokens` tokens, passage ids in brackets after each fact. */
  text: string;
  /** The passages it condenses. */
  ids: string[];
}

/**
 * Condenses the passages that did not fit a context budget into the room left (`maxTokens`,
 * counted with `countTokens`), through the run's model at temperature 0 (so a retry is answered
 * by the response cache). The passages reach the model spotlighted, as data. The summary is cut
 * to the room if the model wrote more, so the budget is never exceeded; an empty reply gives no
 * summary (undefined), never an empty one.
 */
export async function summariseOverflow(
  passages: readonly { id: string; text: string }[],
  options: {
    query: string;
    maxTokens: number;
    boundary: string;
    callModel: (request: ChatRequest) => Promise<ChatResponse>;
    prompts: PromptLibrary;
    countTokens: (text: string) => number;
  },
): Promise<OverflowSummary | undefined> {
  if (passages.length === 0 || options.maxTokens < minSummaryTokens) return undefined;
  const { messages } = renderPrompt(options.prompts.get({ id: 'knowledge.summarise', version: 'v1' }), {
    query: options.query,
    // Three words in four tokens leaves room for the ids.
    words: String(Math.floor(options.maxTokens * 0.6)),
    passages: passages
      .map(
        (passage) =>
          `[${passage.id}]\n${spotlight(passage.text, { source: passage.id, boundary: options.boundary })}`,
      )
      .join('\n\n'),
  });
  const response = await options.callModel({
    messages,
    tools: [],
    temperature: 0,
    maxOutputTokens: options.maxTokens,
  });
  const text = cutToTokens(response.message.content.trim(), options.maxTokens, options.countTokens);
  if (text === '') return undefined;
  return { text, ids: passages.map((passage) => passage.id) };
}
