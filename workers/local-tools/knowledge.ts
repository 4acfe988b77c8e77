/**
 * The knowledge bases a worker with this environment uses, opened in the CLI's own process for
 * `llmos kb create|list|search|remove`: the same store (LLMOS_KNOWLEDGE_FILE or _POSTGRES_URL), the same models and
 * embedding cache, and the same activity code the worker runs. Adding documents is a run on the
 * workers (`llmos kb add`), as it may take hours.
 */
import { createKnowledgeActivities } from '../../activities/knowledge/knowledge-activities.js';
import { openKnowledgeStore } from '../../activities/knowledge/open-knowledge-store.js';
import { openSqliteEmbeddingCache } from '../../activities/llm/embeddings/embedding-cache.js';
import { createEmbedder } from '../../activities/llm/embeddings/embed-texts.js';
import { loadModelCatalog, modelCatalogFile } from '../../activities/llm/load-model-catalog.js';
import { priceOf } from '../../common/model-catalog.js';
import { WorkerConfigSchema } from '../config.js';
import { modelProviderSettingKeys, modelResolverFromConfig } from '../create-worker.js';

export function openWorkerKnowledge(env: NodeJS.ProcessEnv = process.env) {
  // Only what knowledge bases need: a bad value elsewhere in the worker's environment is not the caller's business.
  const settings = WorkerConfigSchema.pick({
    ...modelProviderSettingKeys,
    LLMOS_KNOWLEDGE_FILE: true,
    LLMOS_KNOWLEDGE_POSTGRES_URL: true,
    LLMOS_MODELS_FILE: true,
    LLMOS_CACHE: true,
    LLMOS_CACHE_FILE: true,
  }).parse(env);
  const catalog = loadModelCatalog(modelCatalogFile({ LLMOS_MODELS_FILE: settings.LLMOS_MODELS_FILE }));
  const cache =
    settings.LLMOS_CACHE === 'on' ? openSqliteEmbeddingCache(settings.LLMOS_CACHE_FILE) : undefined;
  const { store, where } = openKnowledgeStore(settings);
  const embed = createEmbedder(modelResolverFromConfig(settings), {
    priceOf: (model) => priceOf(catalog, model),
    cache,
  });
  return {
    store,
    knowledge: createKnowledgeActivities({ store, embed }),
    where,
    close: async () => {
      await store.close();
      await cache?.close();
    },
  };
}
