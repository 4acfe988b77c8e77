import { z } from 'zod';
import { hashedEmbedding, hashedEmbeddingDimensions } from '../common/embedding.js';
import { estimateTokens } from '../activities/llm/scripted/script-engine.js';

const EmbeddingsRequestSchema = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1)]),
  dimensions: z.number().int().min(2).max(4096).optional(),
  encoding_format: z.enum(['float', 'base64']).optional(),
});

/**
 * `POST /v1/embeddings` as OpenAI answers it, from `hashedEmbedding`: the same text always gets
 * the same vector, and texts that share words are close, so retrieval can be tested without a
 * model. Not scripted: an embedding has no reply to choose. Base64 vectors are little-endian
 * float32, as OpenAI sends them.
 */
export function answerEmbeddings(body: unknown): { status: number; body: unknown; model: string | null } {
  const parsed = EmbeddingsRequestSchema.safeParse(body);
  if (!parsed.success)
    return {
      status: 400,
      model: null,
      body: {
        error: {
          message: `fake-llm: not an embeddings request: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ')}`,
          type: 'invalid_request_error',
        },
      },
    };
  const { model, dimensions = hashedEmbeddingDimensions, encoding_format } = parsed.data;
  const inputs = typeof parsed.data.input === 'string' ? [parsed.data.input] : parsed.data.input;
  const tokens = estimateTokens(inputs.reduce((sum, text) => sum + text.length, 0));
  const encode = (vector: number[]) =>
    encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
  return {
    status: 200,
    model,
    body: {
      object: 'list',
      model,
      data: inputs.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: encode(hashedEmbedding(text, dimensions)),
      })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  };
}
