import { z } from 'zod';
import type { ChatRequest, ChatResponse } from '../../common/chat.js';
import { renderPrompt } from '../../common/render-prompt.js';
import { spotlight } from '../../common/spotlight.js';
import { defineOutput, parseStructuredOutput, toResponseFormat } from '../../common/structured-output.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';

export const rerankOutput = defineOutput(
  'passage_ratings',
  'How well each passage answers the search',
  z.object({
    ratings: z.array(z.object({ passage: z.number().int().min(1), relevance: z.number().min(0).max(10) })),
  }),
);

export interface Reranked<T> {
  passages: T[];
  /** Why the model's reply was not used, when it was not: the search's own order stands. */
  unusable?: string;
}

/**
 * Orders passages by the model's rating of how well each answers `query` (the model-layer judge
 * standing in for a cross-encoder): one call at temperature 0, passages spotlighted as data.
 * Ties, and passages the reply did not rate, keep the search's order behind the rated ones. A
 * reply that is no rating leaves the search's order as it was. Deterministic for the same reply.
 */
export async function rerankPassages<T extends { id: string; text: string }>(
  query: string,
  passages: readonly T[],
  options: {
    boundary: string;
    callModel: (request: ChatRequest) => Promise<ChatResponse>;
    prompts: PromptLibrary;
  },
): Promise<Reranked<T>> {
  if (passages.length < 2) return { passages: [...passages] };
  const { messages } = renderPrompt(options.prompts.get({ id: 'knowledge.rerank', version: 'v1' }), {
    query,
    passages: passages
      .map(
        (passage, index) =>
          `${index + 1}. [${passage.id}]\n${spotlight(passage.text, { source: passage.id, boundary: options.boundary })}`,
      )
      .join('\n\n'),
  });
  const response = await options.callModel({
    messages,
    tools: [],
    temperature: 0,
    responseFormat: toResponseFormat(rerankOutput),
  });
  const parsed = parseStructuredOutput(rerankOutput, response.message.content);
  if (!parsed.ok)
    return { passages: [...passages], unusable: `its answer is not a rating: ${parsed.problems.join('; ')}` };
  const rating = new Map<number, number>();
  for (const { passage, relevance } of rerankOutput.schema.parse(parsed.value).ratings)
    if (passage <= passages.length && !rating.has(passage - 1)) rating.set(passage - 1, relevance);
  const order = passages.map((_, index) => index);
  order.sort((a, b) => (rating.get(b) ?? -1) - (rating.get(a) ?? -1) || a - b);
  return { passages: order.map((index) => passages[index]!) };
}
