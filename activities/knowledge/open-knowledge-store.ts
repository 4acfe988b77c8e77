import type { KnowledgeStore } from './knowledge-store.js';
import { postgresWhere } from '../audit/postgres-store.js';
import { openPostgresKnowledgeStore } from './postgres-knowledge-store.js';
import { openSqliteKnowledgeStore } from './sqlite-knowledge-store.js';

/** Where the knowledge bases live, as the worker's configuration names it. */
export interface KnowledgeSettings {
  /** The SQLite file, used when no PostgreSQL is named. */
  LLMOS_KNOWLEDGE_FILE: string;
  LLMOS_KNOWLEDGE_POSTGRES_URL?: string | undefined;
}

/**
 * LLMOS_KNOWLEDGE_POSTGRES_URL when set (workers on several machines share it), else the SQLite
 * file LLMOS_KNOWLEDGE_FILE (one machine); `where` names it, without a password.
 */
export function openKnowledgeStore(settings: KnowledgeSettings): { store: KnowledgeStore; where: string } {
  if (settings.LLMOS_KNOWLEDGE_POSTGRES_URL) {
    return {
      store: openPostgresKnowledgeStore(settings.LLMOS_KNOWLEDGE_POSTGRES_URL),
      where: postgresWhere(settings.LLMOS_KNOWLEDGE_POSTGRES_URL),
    };
  }
  return {
    store: openSqliteKnowledgeStore(settings.LLMOS_KNOWLEDGE_FILE),
    where: settings.LLMOS_KNOWLEDGE_FILE,
  };
}
