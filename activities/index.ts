import { builtInOutputs } from './llm/built-in-outputs.js';
import type { OutputDefinition } from '../common/structured-output.js';
import { createAnalysisActivities } from './analysis/analysis-activities.js';
import { createBlobActivities } from './blobs/blob-activities.js';
import type { BlobStore } from './blobs/blob-store.js';
import { createReduceActivities } from './analysis/reduce-activities.js';
import { createReportActivities } from './analysis/report-activities.js';
import type { Client } from '@temporalio/client';
import type { ModelCatalog } from '../common/model-catalog.js';
import { ConversationStore } from './conversation/conversation-store.js';
import { createConversationActivities } from './conversation/conversation-activities.js';
import { createBudgetActivities } from './budget/budget-activities.js';
import { createCallChatModel, type ModelCallServices } from './llm/call-chat-model.js';
import { createMonitorActions } from './monitors/monitor-actions.js';
import { createModelOverrides } from './monitors/model-overrides.js';
import { createMonitorReadings } from './monitors/monitor-readings.js';
import { createGenerateStructured, createOutputRegistry } from './llm/generate-structured.js';
import type { ModelResolver } from './llm/model-resolver.js';
import { createResolveModelChain } from './llm/resolve-model-chain.js';
import { createEmbedActivities } from './llm/embeddings/embed-activities.js';
import type { Embedder } from './llm/embeddings/embed-texts.js';
import { createKnowledgeActivities } from './knowledge/knowledge-activities.js';
import { createLanguageActivities } from './language/language-activities.js';
import { createServiceConfigActivities } from './customer-service/service-config.js';
import { createAssessActivities } from './customer-service/assess-message.js';
import { createReviewActivities } from './customer-service/review-reply.js';
import type { CustomerServiceConfig } from '../common/customer-service.js';
import { createCitationActivities } from './knowledge/citation-activities.js';
import type { KnowledgeStore } from './knowledge/knowledge-store.js';
import { createPlanRoutes, createRouteModel } from './llm/route-model.js';
import { createLoadPrompts } from './prompts/load-prompts.js';
import { createSqlActivities, type SqlActivitiesConfig } from './sql/sql-activities.js';
import type { PromptLibrary } from './prompts/prompt-library.js';
import { createDescribeTools } from './tools/describe-tools.js';
import { createRunTool } from './tools/run-tool.js';
import { createGuardActivities } from './guards/guard-activities.js';
import type { GuardService } from './guards/guard-service.js';
import { createRemoteJudges } from './guards/remote/remote-judges.js';
import type { PolicyConfig } from '../common/policies.js';
import { createTraceActivities } from './trace/trace-segments.js';
import type { ToolRegistry } from './tools/tool-registry.js';
import type { McpConnections } from './mcp/mcp-connections.js';

export interface ActivityDependencies {
  resolveModel: ModelResolver;
  /**
   * The model catalog, the providers with a request rate limit (their calls go through their own
   * task queue), and the prices, response cache and circuit breaker every model call goes through.
   */
  models: ModelCallServices & { catalog: ModelCatalog; rateLimitedProviders: readonly string[] };
  /**
   * A Temporal client of the worker's namespace, and the queue its entity workflows run on: the
   * shared budgets' ledgers and the monitors' state.
   */
  temporal: { client: () => Promise<Client>; taskQueue: string };
  tools: ToolRegistry;
  /** The MCP servers whose tools runs may offer (`llmos.config` `mcpServers`); none when absent. */
  mcp?: McpConnections;
  prompts: PromptLibrary;
  sql: SqlActivitiesConfig;
  /** Where document texts, chunks and conversations are kept, so workflow history carries only references. */
  blobs: BlobStore;
  /** Where analysis reports are written when a run names no output folder. */
  reportsDirectory: string;
  /** The guard pipeline: each stage's scanners, the runs' PII vault and the audit trail. */
  guards: GuardService;
  /** Which providers and models may receive each tenant's data. */
  policies: PolicyConfig;
  /** Where knowledge bases live: their documents, chunks, words and vectors. */
  knowledge: KnowledgeStore;
  /** Embedding calls through the worker's models, priced and cached (`createEmbedder`). */
  embed: Embedder;
  /** The customer-service behaviour for sessions started without their own (`config/customer_service.yaml`). */
  customerService: CustomerServiceConfig;
  /** Structured outputs beyond the built-in ones (plan, verdict) that workflows may ask for by name. */
  outputs?: readonly OutputDefinition[];
}

/**
 * Every side effect llmos performs, bound to the worker's dependencies. Workflows import the
 * type of this object only (`import type`) and reach the functions through `proxyActivities`.
 */
export function createActivities(dependencies: ActivityDependencies) {
  const conversations = new ConversationStore(dependencies.blobs);
  const callChatModel = createCallChatModel(dependencies.resolveModel, {
    ...dependencies.models,
    conversations,
    embed: dependencies.embed,
  });
  const outputs = createOutputRegistry([...builtInOutputs, ...(dependencies.outputs ?? [])]);
  // Model judges call through the same layer as the runs' own calls: cache, breaker, limits, prices.
  const guards = dependencies.guards.withJudges(
    createRemoteJudges(dependencies.guards.judgeConfig, { callChatModel, prompts: dependencies.prompts }),
  );
  const { embed } = dependencies;
  const structuredAsks = {
    callChatModel,
    prompts: dependencies.prompts,
    catalog: dependencies.models.catalog,
  };
  return {
    callChatModel,
    resolveModelChain: createResolveModelChain(
      dependencies.models.catalog,
      dependencies.models.rateLimitedProviders,
      dependencies,
      createModelOverrides(dependencies.temporal.client),
    ),
    readMonitorReadings: createMonitorReadings(dependencies.temporal.client),
    ...createMonitorActions(dependencies.temporal),
    routeModel: createRouteModel(dependencies.models.catalog),
    planRoutes: createPlanRoutes(
      dependencies.models.catalog,
      dependencies.models.rateLimitedProviders,
      dependencies,
    ),
    ...createBudgetActivities({ ...dependencies.temporal, priceOf: dependencies.models.priceOf }),
    generateStructured: createGenerateStructured(callChatModel, outputs, dependencies),
    describeTools: createDescribeTools(dependencies.tools, dependencies.mcp),
    loadPrompts: createLoadPrompts(dependencies.prompts),
    runTool: createRunTool(dependencies.tools, {
      blobs: dependencies.blobs,
      guards,
      callChatModel,
      meter: dependencies.models.meter,
      mcp: dependencies.mcp,
    }),
    ...createGuardActivities(guards, dependencies.models.meter),
    ...createConversationActivities(conversations),
    ...createEmbedActivities({ embed, blobs: dependencies.blobs }),
    ...createKnowledgeActivities({ store: dependencies.knowledge, embed }),
    ...createLanguageActivities(),
    ...createServiceConfigActivities(dependencies.customerService),
    ...createAssessActivities(structuredAsks),
    ...createReviewActivities(structuredAsks),
    ...createCitationActivities(conversations, { callChatModel, prompts: dependencies.prompts }),
    ...createTraceActivities(dependencies.blobs),
    ...createBlobActivities(dependencies.blobs),
    ...createSqlActivities({ ...dependencies.sql, guards }),
    ...createAnalysisActivities({
      blobs: dependencies.blobs,
      prompts: dependencies.prompts,
      callChatModel,
      guards,
    }),
    ...createReduceActivities({ blobs: dependencies.blobs, prompts: dependencies.prompts, callChatModel }),
    ...createReportActivities({
      blobs: dependencies.blobs,
      reportsDirectory: dependencies.reportsDirectory,
      vaultEntries: (vaultId) => guards.vaultEntries(vaultId),
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { CallChatModelInput, CallChatModelOutput } from './llm/call-chat-model.js';
export type { GenerateStructuredInput, GenerateStructuredOutput } from './llm/generate-structured.js';
export type { LoadPromptsInput } from './prompts/load-prompts.js';
export type { RunToolInput, RunToolOutput } from './tools/run-tool.js';
export type { ApplyGuardsInput, ApplyGuardsOutput } from './guards/guard-activities.js';
export type { EmbedTextsInput, EmbedTextsOutput } from './llm/embeddings/embed-activities.js';
