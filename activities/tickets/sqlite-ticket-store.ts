import { openSharedSqlite, settled } from '../llm/shared-sqlite.js';
import {
  firstTicketNumber,
  ticketColumnsSql,
  ticketFromRow,
  ticketNumber,
  type TicketRow,
  type TicketStore,
} from './ticket-store.js';

/**
 * Tickets in a SQLite file, for the workers of one machine. The idempotency key is UNIQUE: an
 * insert with a used key does nothing, and the ticket it opened is read back, in one transaction.
 */
export function openSqliteTicketStore(file: string): TicketStore {
  const db = openSharedSqlite(file);
  db.exec(`
    CREATE TABLE IF NOT EXISTS tickets (
      number INTEGER PRIMARY KEY AUTOINCREMENT,${ticketColumnsSql},
      created_at TEXT NOT NULL
    );
    INSERT INTO sqlite_sequence (name, seq)
      SELECT 'tickets', ${firstTicketNumber - 1}
      WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'tickets');
  `);
  const insert = db.prepare(
    `INSERT INTO tickets (idempotency_key, workflow_id, subject, description, priority, customer, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
  );
  const byKey = db.prepare<[string], TicketRow>('SELECT * FROM tickets WHERE idempotency_key = ?');
  const byNumber = db.prepare<[number], TicketRow>('SELECT * FROM tickets WHERE number = ?');
  const open = db.transaction(
    (ticket: Parameters<TicketStore['open']>[0], origin: Parameters<TicketStore['open']>[1]) => {
      const created =
        insert.run(
          origin.idempotencyKey,
          origin.workflowId,
          ticket.subject,
          ticket.description,
          ticket.priority,
          ticket.customer ?? null,
          new Date().toISOString(),
        ).changes === 1;
      return { ticket: ticketFromRow(byKey.get(origin.idempotencyKey)!), created };
    },
  );
  return {
    open: (ticket, origin) => settled(() => open(ticket, origin)),
    get: (id) =>
      settled(() => {
        const number = ticketNumber(id);
        const row = number === undefined ? undefined : byNumber.get(number);
        return row ? ticketFromRow(row) : undefined;
      }),
    list: (options = {}) =>
      settled(() =>
        (
          db
            .prepare(
              `SELECT * FROM tickets ${options.status ? 'WHERE status = ?' : ''} ORDER BY number DESC LIMIT ?`,
            )
            .all(...(options.status ? [options.status] : []), options.limit ?? 100) as TicketRow[]
        ).map(ticketFromRow),
      ),
    close: () => settled(() => void db.close()),
  };
}
