import { z } from 'zod';
import { KnowledgeBaseNameSchema } from '../../common/knowledge.js';
import { embeddingTotals } from '../../common/run-totals.js';
import { spotlight } from '../../common/spotlight.js';
import type { RetrieveKnowledgeInput, RetrievedKnowledge } from '../knowledge/knowledge-activities.js';
import { fitToBudget } from '../knowledge/context-budget.js';
import { rerankPassages } from '../knowledge/rerank-passages.js';
import { summariseOverflow, type OverflowSummary } from '../knowledge/summarise-overflow.js';
import { countTokens } from '../prompts/count-tokens.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';
import { defineTool, ToolInputError } from './tool.js';

/** Passages a call may ask for: enough to answer from, few enough for a prompt. */
const maxPassages = 10;
/** Tokens (o200k) the passages of one call may take: five chunks of the default size fit. */
const defaultBudget = 1_500;
const maxBudget = 8_000;
/** With `rerank`, the model rates this many candidates a passage asked for. */
const rerankPool = 3;
/** Room kept for the line that says what was left out. */
const noteTokens = 30;

export interface RetrieveToolServices {
  retrieve: (input: RetrieveKnowledgeInput) => Promise<RetrievedKnowledge>;
  /** The prompt library, for the summary of what did not fit. */
  prompts: PromptLibrary;
}

/**
 * Searches a knowledge base for an agent or a Plan -> Solve -> Verify step: BM25 and dense search
 * fused (`retrieveKnowledge`), re-ranked by the run's model when the call asks (`rerankPassages`,
 * over three times the candidates), as many of the best as fit the call's token budget
 * (`fitToBudget`, counted with o200k, wrappers included). What did not fit is left out, or, when
 * the call asks, summarised into the room left by the run's model (`summariseOverflow`); the
 * whole result never exceeds the budget. Each passage reaches the model spotlighted, as outside
 * text, under its chunk id, the id an answer cites it by (`[guide.md#3]`); the run's guards
 * judge the result before it enters history, like any tool that reaches outside. The query's
 * embedding and the summary's call count in the run's totals. Reads only: a retry makes the same
 * calls again (the summary's, at temperature 0, from the response cache).
 */
export function createRetrieveTool({ retrieve, prompts }: RetrieveToolServices) {
  return defineTool({
    name: 'retrieve',
    description:
      'Searches a knowledge base by meaning and by words and returns the best passages, each under its id. Cite the passages an answer rests on by their ids in square brackets, e.g. [guide.md#3]; cite only ids this tool returned.',
    inputSchema: z.object({
      base: KnowledgeBaseNameSchema.describe('The knowledge base to search'),
      query: z.string().min(1).max(1_000).describe('What to look for, in words'),
      limit: z.number().int().min(1).max(maxPassages).default(5).describe('Passages to return'),
      product: z.string().min(1).optional().describe('Only passages about this product'),
      language: z.string().min(1).optional().describe('Only passages in this language, e.g. en'),
      maxTokens: z
        .number()
        .int()
        .min(50)
        .max(maxBudget)
        .default(defaultBudget)
        .describe('The most tokens the result may take; the best passages are kept'),
      summarizeOverflow: z
        .boolean()
        .default(false)
        .describe('Summarise the passages that do not fit, into the room left, instead of leaving them out'),
      rerank: z
        .boolean()
        .default(false)
        .describe(
          'Have the model rate three times as many candidates and keep the best (one more model call)',
        ),
    }),
    async execute({ base, query, limit, product, language, maxTokens, summarizeOverflow, rerank }, context) {
      const reranking = rerank && context.callModel;
      let found: RetrievedKnowledge;
      try {
        found = await retrieve({
          base,
          query,
          limit: reranking ? limit * rerankPool : limit,
          filter: {
            ...(product ? { product: [product] } : {}),
            ...(language ? { language: [language] } : {}),
          },
        });
      } catch (error) {
        // An unknown base is the model's mistake to correct; anything else is a tool failure.
        if (/there is no knowledge base/.test((error as Error).message))
          throw new ToolInputError((error as Error).message);
        throw error;
      }
      if (found.calls > 0) context.spend(embeddingTotals(found));
      if (found.chunks.length === 0) return `No passage of knowledge base "${base}" matches "${query}".`;
      if (reranking) {
        const reranked = await rerankPassages(query, found.chunks, {
          boundary: context.boundary,
          callModel: context.callModel!,
          prompts,
        });
        found = { ...found, chunks: reranked.passages.slice(0, limit) };
      }

      const block = (label: string, text: string) =>
        `[${label}]\n${spotlight(text, { source: `${base}/${label}`, boundary: context.boundary })}`;
      // Each passage's wrapper (its id, the spotlight marks, the blank line) counts against the budget.
      const wrapperTokens = Math.max(...found.chunks.map((chunk) => countTokens(block(chunk.id, '')))) + 2;
      const { kept, tokens } = fitToBudget(
        found.chunks,
        maxTokens - noteTokens,
        (text) => countTokens(text) + wrapperTokens,
      );
      const blocks = kept.map((chunk) => block(chunk.id, chunk.text));
      const rest = found.chunks.slice(kept.length);
      if (rest.length === 0) return blocks.join('\n\n');

      let summary: OverflowSummary | undefined;
      if (summarizeOverflow && context.callModel) {
        const label = `summary of ${rest.map((chunk) => chunk.id).join(', ')}`;
        summary = await summariseOverflow(rest, {
          query,
          maxTokens: maxTokens - tokens - countTokens(block(label, '')) - 2,
          boundary: context.boundary,
          callModel: context.callModel,
          prompts,
          countTokens,
        });
        if (summary) blocks.push(block(label, summary.text));
      }
      if (!summary) {
        const why = summarizeOverflow && !context.callModel ? '; no model here to summarise them' : '';
        blocks.push(`(${rest.length} more passages left out: over the ${maxTokens}-token budget${why})`);
      }
      return blocks.join('\n\n');
    },
  });
}
