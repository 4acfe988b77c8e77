import { z } from 'zod';
import type { Ticket } from '../../common/tickets.js';
import { ticketNumber, type TicketStore } from './ticket-store.js';

/** Where the helpdesk is and how to sign in: an API token, with the agent's e-mail for Basic auth. */
export interface RestTicketSettings {
  /** The helpdesk's base URL, e.g. `https://acme.zendesk.com`. */
  url: string;
  token: string;
  /** With a user, `user/token:<token>` over Basic auth (Zendesk's API tokens); without, a Bearer token. */
  user?: string | undefined;
  /** Per request; a helpdesk that does not answer fails the call, which Temporal retries. */
  timeoutMs?: number;
}

/** A ticket as the helpdesk's API returns it (Zendesk's shape; fields llmos does not use are ignored). */
const ApiTicketSchema = z.object({
  id: z.number().int().positive(),
  subject: z.string().nullable(),
  description: z.string().nullable(),
  priority: z.enum(['low', 'normal', 'high', 'urgent']).nullable(),
  status: z.string(),
  created_at: z.string(),
  external_id: z.string().nullable(),
  tags: z.array(z.string()).default([]),
});
type ApiTicket = z.infer<typeof ApiTicketSchema>;
const OneTicketSchema = z.object({ ticket: ApiTicketSchema });
const TicketListSchema = z.object({ tickets: z.array(ApiTicketSchema) });

/** A helpdesk that answered what llmos cannot use; Temporal retries the tool call. */
export class TicketApiError extends Error {
  override readonly name = 'TicketApiError';
}

const customerTag = 'llmos_customer_';
/** Helpdesk tags are words: a customer id keeps its letters, digits, `-`, `_` and `.`, in lower case. */
const asTag = (customer: string) => `${customerTag}${customer.toLowerCase().replace(/[^a-z0-9_.-]/g, '_')}`;

/**
 * Tickets in a helpdesk with a Zendesk-style REST API (`/api/v2/tickets.json`): what a team that
 * works its queue in Zendesk (or a helpdesk that speaks its API) uses instead of llmos's own
 * store. Opening is idempotent by key twice over: the key is sent as the `Idempotency-Key`
 * header (the helpdesk answers a repeated request with the ticket it made) and kept as the
 * ticket's `external_id`, which is looked up first, so an attempt retried after a lost response
 * finds the ticket even where the header is not honoured. The ticket's id is `T-` and the
 * helpdesk's number; solved and closed tickets read as closed. The run that opened it is the
 * key's workflow part; the customer is a tag.
 */
export function openRestTicketStore(settings: RestTicketSettings): TicketStore {
  const base = settings.url.replace(/\/+$/, '');
  const authorization = settings.user
    ? `Basic ${Buffer.from(`${settings.user}/token:${settings.token}`).toString('base64')}`
    : `Bearer ${settings.token}`;
  const call = async <T>(
    schema: z.ZodType<T>,
    path: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<T | undefined> => {
    const response = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization,
        accept: 'application/json',
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(settings.timeoutMs ?? 30_000),
    });
    if (response.status === 404) return undefined;
    const text = await response.text();
    if (!response.ok)
      throw new TicketApiError(
        `the helpdesk answered ${response.status} to ${init.method ?? 'GET'} ${path}: ${text.slice(0, 300)}`,
      );
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new TicketApiError(`the helpdesk answered ${path} with what is not JSON: ${text.slice(0, 200)}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new TicketApiError(
        `the helpdesk's answer to ${path} is not a ticket: ${parsed.error.issues[0]?.message ?? ''}`,
      );
    return parsed.data;
  };
  const byKey = async (key: string) =>
    (await call(TicketListSchema, `/api/v2/tickets.json?external_id=${encodeURIComponent(key)}`))?.tickets[0];

  return {
    async open(ticket, origin) {
      const found = await byKey(origin.idempotencyKey);
      if (found) return { ticket: fromApi(found), created: false };
      const made = await call(OneTicketSchema, '/api/v2/tickets.json', {
        method: 'POST',
        headers: { 'idempotency-key': origin.idempotencyKey },
        body: {
          ticket: {
            subject: ticket.subject,
            comment: { body: `${ticket.description}\n\n(Opened by llmos run ${origin.workflowId}.)` },
            priority: ticket.priority,
            external_id: origin.idempotencyKey,
            tags: ['llmos', ...(ticket.customer ? [asTag(ticket.customer)] : [])],
          },
        },
      });
      if (!made) throw new TicketApiError('the helpdesk has no /api/v2/tickets.json');
      return { ticket: fromApi(made.ticket, ticket.customer), created: true };
    },
    async get(id) {
      const number = ticketNumber(id);
      if (number === undefined) return undefined;
      const found = await call(OneTicketSchema, `/api/v2/tickets/${number}.json`);
      return found && fromApi(found.ticket);
    },
    async list(options = {}) {
      const limit = Math.min(options.limit ?? 50, 100);
      const found = await call(
        TicketListSchema,
        `/api/v2/tickets.json?sort_by=created_at&sort_order=desc&per_page=${limit}`,
      );
      return (found?.tickets ?? [])
        .map((ticket) => fromApi(ticket))
        .filter((ticket) => options.status === undefined || ticket.status === options.status)
        .slice(0, limit);
    },
    close: () => Promise.resolve(),
  };
}

function fromApi(api: ApiTicket, customer?: string): Ticket {
  const key = api.external_id ?? `helpdesk/${api.id}`;
  const tagged = api.tags.find((tag) => tag.startsWith(customerTag))?.slice(customerTag.length);
  const who = customer ?? tagged;
  return {
    id: `T-${api.id}`,
    subject: api.subject ?? '',
    description: api.description ?? '',
    priority: api.priority ?? 'normal',
    ...(who ? { customer: who } : {}),
    status: api.status === 'solved' || api.status === 'closed' ? 'closed' : 'open',
    createdAt: new Date(api.created_at).toISOString(),
    // The key is `<workflow id>/<activity id>`: the run is what comes before the last slash.
    workflowId: key.includes('/') ? key.slice(0, key.lastIndexOf('/')) : key,
    idempotencyKey: key,
  };
}
