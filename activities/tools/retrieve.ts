import { z } from 'zod';
import { KnowledgeBaseNameSchema } from '../../common/knowledge.js';
import { spotlight } from '../../common/spotlight.js';
import type { RetrieveKnowledgeInput, RetrievedKnowledge } from '../knowledge/knowledge-activities.js';
import { fitToBudget } from '../knowledge/context-budget.js';
import { countTokens } from '../prompts/count-tokens.js';
import { defineTool, ToolInputError } from './tool.js';

/** Passages a call may ask for: enough to answer from, few enough for a prompt. */
const maxPassages = 10;
/** Tokens (o200k) the passages of one call may take: five chunks of the default size fit. */
const defaultBudget = 1_500;
const maxBudget = 8_000;

/**
 * Searches a knowledge base for an agent or a Plan -> Solve -> Verify step: BM25 and dense search
 * fused (`retrieveKnowledge`), as many of the best as fit the call's token budget
 * (`fitToBudget`, counted with o200k). Each passage reaches the model spotlighted, as outside text, under
 * its chunk id, the id an answer cites it by (`[guide.md#3]`); the run's guards judge the result
 * before it enters history, like any tool that reaches outside. Reads only, so a retry is free of
 * side effects.
 */
export function createRetrieveTool(retrieve: (input: RetrieveKnowledgeInput) => Promise<RetrievedKnowledge>) {
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
        .describe('The most tokens the passages may take together; the best are kept'),
    }),
    async execute({ base, query, limit, product, language, maxTokens }, context) {
      let found: RetrievedKnowledge;
      try {
        found = await retrieve({
          base,
          query,
          limit,
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
      if (found.chunks.length === 0) return `No passage of knowledge base "${base}" matches "${query}".`;
      const { kept, leftOut } = fitToBudget(found.chunks, maxTokens, countTokens);
      const blocks = kept.map(
        (chunk) =>
          `[${chunk.id}]\n${spotlight(chunk.text, { source: `${base}/${chunk.id}`, boundary: context.boundary })}`,
      );
      if (leftOut > 0) blocks.push(`(${leftOut} more passages left out: over the ${maxTokens}-token budget)`);
      return blocks.join('\n\n');
    },
  });
}
