import { postgresWhere } from '../audit/postgres-store.js';
import { openPostgresTicketStore } from './postgres-ticket-store.js';
import { openSqliteTicketStore } from './sqlite-ticket-store.js';
import type { TicketStore } from './ticket-store.js';

/** Where tickets live, as the worker's configuration names it. */
export interface TicketSettings {
  /** The SQLite file, used when no PostgreSQL is named. */
  LLMOS_TICKETS_FILE: string;
  LLMOS_TICKETS_POSTGRES_URL?: string | undefined;
}

/** LLMOS_TICKETS_POSTGRES_URL when set, else the SQLite file; `where` names it, without a password. */
export function openTicketStore(settings: TicketSettings): { store: TicketStore; where: string } {
  if (settings.LLMOS_TICKETS_POSTGRES_URL)
    return {
      store: openPostgresTicketStore(settings.LLMOS_TICKETS_POSTGRES_URL),
      where: postgresWhere(settings.LLMOS_TICKETS_POSTGRES_URL),
    };
  return { store: openSqliteTicketStore(settings.LLMOS_TICKETS_FILE), where: settings.LLMOS_TICKETS_FILE };
}
