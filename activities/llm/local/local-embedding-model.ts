import { ApplicationFailure } from '@temporalio/common';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { ChatRequest, ChatResponse } from '../../../common/chat.js';
import type { EmbedResult } from '../../../common/embedding.js';
import { ErrorType } from '../../../common/errors.js';
import type { ChatModel } from '../chat-model.js';

/** The files a local sentence-embedding model is made of, in `<models directory>/<name>/`. */
export const localModelFiles = { weights: 'model.onnx', tokenizer: 'tokenizer.json' } as const;

/**
 * Tokens a text keeps, [CLS] and [SEP] included: the length all-MiniLM-L6-v2 was trained on
 * (sentence-transformers' `max_seq_length`); a longer text is cut, as sentence-transformers does.
 */
const maxTokens = 256;
/** Texts per forward pass: padding grows with the longest text of a pass, so passes stay small. */
const textsPerPass = 16;

interface Tokenized {
  ids: number[];
}
interface TokenizerLike {
  encode(text: string): Tokenized;
}
/** The part of `@huggingface/tokenizers` used here, typed locally: its bundled types do not resolve. */
type TokenizersModule = { Tokenizer: new (tokenizer: object, config: object) => TokenizerLike };

/**
 * A sentence-embedding model that runs in the worker, from files on disk, with no key and no
 * network: ONNX Runtime runs the exported transformer, Hugging Face's tokenizer splits the text,
 * and the vector is the mean of the token states, scaled to length 1 (sentence-transformers'
 * pooling for the MiniLM models). `scripts/models/setup-local-models.sh` puts the files in place.
 *
 * Contract: like every `ChatModel`, no retries inside; deterministic (same text, same vector,
 * whatever else is in its batch). It only embeds: `generate` is the non-retryable `UnknownModel`.
 * One session is shared by every call of the worker and runs on one thread, so embedding leaves
 * the worker's other core to the workflows.
 */
export class LocalEmbeddingModel implements ChatModel {
  readonly provider = 'local' as const;
  readonly #session: InferenceSession;
  readonly #tokenizer: TokenizerLike;
  readonly #tensor: typeof Tensor;

  private constructor(
    readonly model: string,
    parts: { session: InferenceSession; tokenizer: TokenizerLike; tensor: typeof Tensor },
  ) {
    this.#session = parts.session;
    this.#tokenizer = parts.tokenizer;
    this.#tensor = parts.tensor;
  }

  /** Loads `<directory>/<model>/`; a missing file is `UnknownModel`, naming the setup script. */
  static async load(directory: string, model: string): Promise<LocalEmbeddingModel> {
    const folder = path.join(directory, model);
    const weights = path.join(folder, localModelFiles.weights);
    const tokenizerFile = path.join(folder, localModelFiles.tokenizer);
    if (!existsSync(weights) || !existsSync(tokenizerFile))
      throw ApplicationFailure.create({
        type: ErrorType.UnknownModel,
        message: `local:${model} is not installed: no ${localModelFiles.weights} and ${localModelFiles.tokenizer} in ${folder} (run scripts/models/setup-local-models.sh, or set LLMOS_LOCAL_MODELS_DIR)`,
        nonRetryable: true,
      });
    // Loaded on first use: a worker that never embeds locally never maps the runtime's library.
    const [{ InferenceSession, Tensor }, { Tokenizer }] = await Promise.all([
      import('onnxruntime-node'),
      import('@huggingface/tokenizers') as Promise<unknown> as Promise<TokenizersModule>,
    ]);
    const session = await InferenceSession.create(weights, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const tokenizer = new Tokenizer(JSON.parse(await readFile(tokenizerFile, 'utf8')) as object, {});
    return new LocalEmbeddingModel(model, { session, tokenizer, tensor: Tensor });
  }

  generate(request: ChatRequest): Promise<ChatResponse> {
    void request;
    return Promise.reject(
      ApplicationFailure.create({
        type: ErrorType.UnknownModel,
        message: `local:${this.model} is an embedding model: it cannot answer chat requests`,
        nonRetryable: true,
      }),
    );
  }

  async embed(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
    const vectors: number[][] = [];
    let inputTokens = 0;
    for (let start = 0; start < texts.length; start += textsPerPass) {
      options.signal?.throwIfAborted();
      const ids = texts.slice(start, start + textsPerPass).map((text) => this.#tokenIds(text));
      inputTokens += ids.reduce((sum, tokens) => sum + tokens.length, 0);
      vectors.push(...(await this.#pass(ids)));
    }
    return { vectors, usage: { inputTokens } };
  }

  /** The text's token ids, cut to `maxTokens` with its closing [SEP] kept. */
  #tokenIds(text: string): number[] {
    const ids = this.#tokenizer.encode(text).ids;
    return ids.length <= maxTokens ? ids : [...ids.slice(0, maxTokens - 1), ids.at(-1)!];
  }

  /** One forward pass over texts padded to the longest; padding is masked out of the mean. */
  async #pass(batch: readonly number[][]): Promise<number[][]> {
    const width = Math.max(...batch.map((ids) => ids.length));
    const shape = [batch.length, width];
    const ids = new BigInt64Array(batch.length * width);
    const mask = new BigInt64Array(batch.length * width);
    batch.forEach((tokens, row) =>
      tokens.forEach((id, column) => {
        ids[row * width + column] = BigInt(id);
        mask[row * width + column] = 1n;
      }),
    );
    const feeds = {
      input_ids: new this.#tensor('int64', ids, shape),
      attention_mask: new this.#tensor('int64', mask, shape),
      token_type_ids: new this.#tensor('int64', new BigInt64Array(batch.length * width), shape),
    };
    const output = await this.#session.run(feeds);
    const states = output[this.#session.outputNames[0]!]!;
    const dimensions = states.dims[2]!;
    const data = states.data as Float32Array;
    return batch.map((tokens, row) => meanPooled(data, row * width * dimensions, tokens.length, dimensions));
  }
}

/** The mean of `count` token states of `dimensions` values from `offset`, scaled to length 1. */
function meanPooled(data: Float32Array, offset: number, count: number, dimensions: number): number[] {
  const sum = new Float64Array(dimensions);
  for (let token = 0; token < count; token++)
    for (let dimension = 0; dimension < dimensions; dimension++)
      sum[dimension]! += data[offset + token * dimensions + dimension]!;
  // The mean's 1/count cancels in the scaling to length 1.
  const length = Math.hypot(...sum) || 1;
  return Array.from(sum, (value) => value / length);
}
