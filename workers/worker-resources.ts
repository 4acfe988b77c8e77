import { Runtime } from '@temporalio/worker';
import type { BlobStore } from '../activities/blobs/blob-store.js';
import { openSqliteEmailOutbox, type EmailOutbox } from '../activities/email/email-outbox.js';
import type { KnowledgeStore } from '../activities/knowledge/knowledge-store.js';
import { openKnowledgeStore } from '../activities/knowledge/open-knowledge-store.js';
import { McpConnections } from '../activities/mcp/mcp-connections.js';
import { openOrdersDatabase, type OrdersDatabase } from '../activities/orders/orders-database.js';
import { loadPromptLibrary, type PromptLibrary } from '../activities/prompts/prompt-library.js';
import { openTicketStore } from '../activities/tickets/open-ticket-store.js';
import type { TicketStore } from '../activities/tickets/ticket-store.js';
import type { Tool } from '../activities/tools/tool.js';
import { blobStoreFromConfig } from './blob-store-from-config.js';
import { promptDirectories, type WorkerConfig } from './config.js';
import type { LlmosConfig } from './define-config.js';
import { governanceFromConfig } from './governance-from-config.js';
import { createModelServices, type WorkerModelServices } from './model-services.js';
import { checkWorkerExtensions } from './project-config.js';
import { llmosVersion } from './project-root.js';

/** What a worker's activities are made of: each made from the configuration unless given. */
export interface WorkerResources {
  prompts: PromptLibrary;
  models: WorkerModelServices;
  blobs: BlobStore;
  governance: Pick<ReturnType<typeof governanceFromConfig>, 'guards' | 'policies'>;
  knowledge: KnowledgeStore;
  tickets: TicketStore;
  outbox: EmailOutbox;
  orders: OrdersDatabase;
}

/** A project's tools, and the connections to its MCP servers. */
export interface OpenedExtensions {
  tools: readonly Tool[];
  mcp: McpConnections;
}

/**
 * Opens everything a worker's activities use, in the order that fails soonest: the project's
 * tools and servers are checked and the prompt library loaded before anything connects (a bad
 * definition or template stops the worker, named), then the model services and blob store are
 * made ready, then the stores opened. `close` releases all of it, after the worker has stopped.
 */
export async function openWorkerResources(
  config: WorkerConfig,
  project: LlmosConfig = {},
): Promise<{ resources: WorkerResources; extensions: OpenedExtensions; close: () => Promise<void> }> {
  const checked = checkWorkerExtensions(project);
  const prompts = loadPromptLibrary(promptDirectories(config));
  for (const warning of prompts.warnings) Runtime.instance().logger.warn(`prompt library: ${warning}`);
  const governance = governanceFromConfig(config);
  const models = createModelServices(config);
  const blobs = blobStoreFromConfig(config);
  try {
    await Promise.all([models.ready, blobs.ready]);
  } catch (error) {
    await Promise.allSettled([models.close(), blobs.close(), governance.close()]);
    throw error;
  }
  const mcp = new McpConnections(checked.mcpServers, { name: 'llmos', version: llmosVersion() });
  const { store: knowledge } = openKnowledgeStore(config);
  const { store: tickets } = openTicketStore(config);
  const outbox = openSqliteEmailOutbox(config.LLMOS_EMAIL_OUTBOX_FILE);
  const orders = openOrdersDatabase(config.LLMOS_ORDERS_DATABASE);
  const close = async (): Promise<void> => {
    await mcp.close();
    await models.close();
    await blobs.close();
    await governance.close();
    await knowledge.close();
    await tickets.close();
    await outbox.close();
    orders.close();
  };
  return {
    resources: { prompts, models, blobs: blobs.blobs, governance, knowledge, tickets, outbox, orders },
    extensions: { tools: checked.tools, mcp },
    close,
  };
}
