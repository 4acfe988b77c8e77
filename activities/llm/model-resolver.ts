import { ApplicationFailure } from '@temporalio/common';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ErrorType } from '../../common/errors.js';
import { formatModelRef, type ModelRef } from '../../common/model-ref.js';
import { loadFakeLlmScript } from './scripted/load-script.js';
import { AnthropicChatModel } from './anthropic-chat-model.js';
import type { ChatModel } from './chat-model.js';
import { LocalEmbeddingModel } from './local/local-embedding-model.js';
import { OpenAiChatModel } from './openai-chat-model.js';
import { createScriptedChatModel } from './scripted/scripted-chat-model.js';

export interface ModelProvidersConfig {
  openai?: { apiKey: string; baseURL?: string | undefined } | undefined;
  anthropic?: { apiKey: string; baseURL?: string | undefined } | undefined;
  /** Any server speaking OpenAI Chat Completions: Ollama, vLLM, llama.cpp. */
  compatible?: { baseURL: string; apiKey?: string | undefined } | undefined;
  /** Folder of scripts for `scripted:<name>` (`<name>.json`); a model name ending in .json is a path. */
  scriptsDirectory: string;
  /** Folder of the models that run in the worker, `local:<name>` in `<name>/` (see LocalEmbeddingModel). */
  localModelsDirectory: string;
  /** Per-request HTTP timeout of the provider SDKs. */
  timeoutMs: number;
}

export type ModelResolver = (ref: ModelRef) => Promise<ChatModel>;

function notConfigured(ref: ModelRef, hint: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: ErrorType.UnknownModel,
    message: `cannot use ${formatModelRef(ref)}: ${hint}`,
    nonRetryable: true,
  });
}

/**
 * Builds `ChatModel`s from model references and the worker's provider configuration, one
 * instance per reference (SDK clients keep connection pools).
 */
export function createModelResolver(config: ModelProvidersConfig): ModelResolver {
  const cache = new Map<string, Promise<ChatModel>>();
  const build = async (ref: ModelRef): Promise<ChatModel> => {
    switch (ref.provider) {
      case 'openai':
        if (!config.openai) throw notConfigured(ref, 'set OPENAI_API_KEY on the worker');
        return new OpenAiChatModel({
          provider: 'openai',
          model: ref.model,
          timeoutMs: config.timeoutMs,
          ...config.openai,
        });
      case 'anthropic':
        if (!config.anthropic) throw notConfigured(ref, 'set ANTHROPIC_API_KEY on the worker');
        return new AnthropicChatModel({ model: ref.model, timeoutMs: config.timeoutMs, ...config.anthropic });
      case 'compatible':
        if (!config.compatible) throw notConfigured(ref, 'set LLMOS_COMPATIBLE_BASE_URL on the worker');
        return new OpenAiChatModel({
          provider: 'compatible',
          model: ref.model,
          timeoutMs: config.timeoutMs,
          baseURL: config.compatible.baseURL,
          apiKey: config.compatible.apiKey ?? 'not-needed',
        });
      case 'scripted': {
        const file = ref.model.endsWith('.json')
          ? path.resolve(ref.model)
          : path.join(config.scriptsDirectory, `${ref.model}.json`);
        if (!existsSync(file)) throw notConfigured(ref, `no script at ${file}`);
        return createScriptedChatModel(ref.model, await loadFakeLlmScript(file));
      }
      case 'local':
        return LocalEmbeddingModel.load(config.localModelsDirectory, ref.model);
    }
  };
  return (ref) => {
    const key = formatModelRef(ref);
    let model = cache.get(key);
    if (!model) {
      model = build(ref);
      cache.set(key, model);
      // A failed build (missing key, missing script) is not cached: the configuration may be fixed.
      model.catch(() => cache.delete(key));
    }
    return model;
  };
}
