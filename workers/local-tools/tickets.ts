/**
 * The ticket store a worker with this environment uses (LLMOS_TICKETS_FILE or
 * LLMOS_TICKETS_POSTGRES_URL), opened in the CLI's own process for `llmos tickets`.
 */
import { openTicketStore } from '../../activities/tickets/open-ticket-store.js';
import { WorkerConfigSchema } from '../config.js';

export function openWorkerTickets(env: NodeJS.ProcessEnv = process.env) {
  // Only what tickets need: a bad value elsewhere in the worker's environment is not the caller's business.
  const settings = WorkerConfigSchema.pick({
    LLMOS_TICKETS_FILE: true,
    LLMOS_TICKETS_POSTGRES_URL: true,
    LLMOS_TICKETS_API_URL: true,
    LLMOS_TICKETS_API_TOKEN: true,
    LLMOS_TICKETS_API_USER: true,
  }).parse(env);
  return openTicketStore(settings);
}
