import type { NewTicket, Ticket } from '../../common/tickets.js';

/**
 * Where tickets are kept. `open` is idempotent by key: a second call with a key already used
 * returns the ticket that key opened (`created: false`) and opens nothing, so a tool retried
 * after a crash, with the same key, never opens two tickets.
 */
export interface TicketStore {
  open(
    ticket: NewTicket,
    origin: { idempotencyKey: string; workflowId: string },
  ): Promise<{ ticket: Ticket; created: boolean }>;
  get(id: string): Promise<Ticket | undefined>;
  /** The newest first; only one status when asked. */
  list(options?: { status?: Ticket['status']; limit?: number }): Promise<Ticket[]>;
  close(): Promise<void>;
}

/** Ticket numbers start here, so an id never looks like a small count. */
export const firstTicketNumber = 1001;

/** The columns both stores' `tickets` tables share, after the number and before the time. */
export const ticketColumnsSql = `
  idempotency_key TEXT NOT NULL UNIQUE,
  workflow_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  description TEXT NOT NULL,
  priority TEXT NOT NULL,
  customer TEXT,
  status TEXT NOT NULL DEFAULT 'open'`;

/** A stored row, as both stores' tables hold it. */
export interface TicketRow {
  number: number | string;
  idempotency_key: string;
  workflow_id: string;
  subject: string;
  description: string;
  priority: Ticket['priority'];
  customer: string | null;
  status: Ticket['status'];
  created_at: string | Date;
}

export function ticketFromRow(row: TicketRow): Ticket {
  return {
    id: `T-${Number(row.number)}`,
    subject: row.subject,
    description: row.description,
    priority: row.priority,
    ...(row.customer !== null ? { customer: row.customer } : {}),
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    workflowId: row.workflow_id,
    idempotencyKey: row.idempotency_key,
  };
}

/** The number in `T-1001`; undefined for anything else. */
export function ticketNumber(id: string): number | undefined {
  const match = /^T-(\d{1,15})$/.exec(id.trim());
  return match ? Number(match[1]) : undefined;
}
