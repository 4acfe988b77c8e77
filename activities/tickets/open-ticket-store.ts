import { postgresWhere } from '../audit/postgres-store.js';
import { openPostgresTicketStore } from './postgres-ticket-store.js';
import { openRestTicketStore } from './rest-ticket-store.js';
import { openSqliteTicketStore } from './sqlite-ticket-store.js';
import type { TicketStore } from './ticket-store.js';

/** Where tickets live, as the worker's configuration names it. */
export interface TicketSettings {
  /** The SQLite file, used when no PostgreSQL is named. */
  LLMOS_TICKETS_FILE: string;
  LLMOS_TICKETS_POSTGRES_URL?: string | undefined;
  /** A helpdesk with a Zendesk-style API, used before either store when set, with its token (and user). */
  LLMOS_TICKETS_API_URL?: string | undefined;
  LLMOS_TICKETS_API_TOKEN?: string | undefined;
  LLMOS_TICKETS_API_USER?: string | undefined;
}

/**
 * The helpdesk at LLMOS_TICKETS_API_URL when set, else LLMOS_TICKETS_POSTGRES_URL, else the SQLite
 * file; `where` names it, without a password or token.
 */
export function openTicketStore(settings: TicketSettings): { store: TicketStore; where: string } {
  if (settings.LLMOS_TICKETS_API_URL) {
    if (!settings.LLMOS_TICKETS_API_TOKEN)
      throw new Error('LLMOS_TICKETS_API_URL needs LLMOS_TICKETS_API_TOKEN: the API token of the helpdesk');
    return {
      store: openRestTicketStore({
        url: settings.LLMOS_TICKETS_API_URL,
        token: settings.LLMOS_TICKETS_API_TOKEN,
        user: settings.LLMOS_TICKETS_API_USER,
      }),
      where: settings.LLMOS_TICKETS_API_URL,
    };
  }
  if (settings.LLMOS_TICKETS_POSTGRES_URL)
    return {
      store: openPostgresTicketStore(settings.LLMOS_TICKETS_POSTGRES_URL),
      where: postgresWhere(settings.LLMOS_TICKETS_POSTGRES_URL),
    };
  return { store: openSqliteTicketStore(settings.LLMOS_TICKETS_FILE), where: settings.LLMOS_TICKETS_FILE };
}
