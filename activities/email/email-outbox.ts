import { createHash } from 'node:crypto';
import { openSharedSqlite, settled } from '../llm/shared-sqlite.js';

/** What a key's e-mail is: not sent yet (send it), sent by an earlier attempt, or claimed and not confirmed. */
export interface OutboxClaim {
  /**
   * `new`: nobody sent it; `unconfirmed`: an earlier attempt claimed it and may have sent it
   * before it died (send again under the same Message-ID, which mail systems treat as one
   * message); `sent`: an earlier attempt sent it, do not send again.
   */
  state: 'new' | 'unconfirmed' | 'sent';
  /** The Message-ID every attempt for this key sends under. */
  messageId: string;
}

/**
 * The e-mails tools sent, by idempotency key: a retried call that finds its e-mail sent does
 * not send it again. SMTP itself has no idempotency, so the one window left (sent, then the
 * worker dies before `markSent`) is closed by sending again under the same Message-ID.
 */
export interface EmailOutbox {
  claim(key: string, email: { to: string; subject: string }, domain: string): Promise<OutboxClaim>;
  markSent(key: string, serverResponse: string): Promise<void>;
  list(): Promise<{ key: string; to: string; subject: string; messageId: string; sentAt: string | null }[]>;
  close(): Promise<void>;
}

/** The Message-ID of a key's e-mail: the same on every attempt, unguessable from outside. */
export const messageIdFor = (key: string, domain: string): string =>
  `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${domain}>`;

/** The outbox in a SQLite file (LLMOS_EMAIL_OUTBOX_FILE), for the workers of one machine. */
export function openSqliteEmailOutbox(file: string): EmailOutbox {
  const db = openSharedSqlite(file);
  db.exec(`
    CREATE TABLE IF NOT EXISTS email_outbox (
      key TEXT PRIMARY KEY,
      message_id TEXT NOT NULL,
      recipient TEXT NOT NULL,
      subject TEXT NOT NULL,
      claimed_at TEXT NOT NULL,
      sent_at TEXT,
      server_response TEXT
    )`);
  const insert = db.prepare(
    `INSERT INTO email_outbox (key, message_id, recipient, subject, claimed_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (key) DO NOTHING`,
  );
  const select = db.prepare<[string], { message_id: string; sent_at: string | null }>(
    'SELECT message_id, sent_at FROM email_outbox WHERE key = ?',
  );
  const claim = db.transaction((key: string, to: string, subject: string, domain: string): OutboxClaim => {
    const fresh =
      insert.run(key, messageIdFor(key, domain), to, subject, new Date().toISOString()).changes === 1;
    const row = select.get(key)!;
    return { state: fresh ? 'new' : row.sent_at ? 'sent' : 'unconfirmed', messageId: row.message_id };
  });
  return {
    claim: (key, email, domain) => settled(() => claim(key, email.to, email.subject, domain)),
    markSent: (key, serverResponse) =>
      settled(() => {
        db.prepare(
          'UPDATE email_outbox SET sent_at = ?, server_response = ? WHERE key = ? AND sent_at IS NULL',
        ).run(new Date().toISOString(), serverResponse, key);
      }),
    list: () =>
      settled(() =>
        (
          db
            .prepare(
              'SELECT key, recipient, subject, message_id, sent_at FROM email_outbox ORDER BY claimed_at',
            )
            .all() as {
            key: string;
            recipient: string;
            subject: string;
            message_id: string;
            sent_at: string | null;
          }[]
        ).map((row) => ({
          key: row.key,
          to: row.recipient,
          subject: row.subject,
          messageId: row.message_id,
          sentAt: row.sent_at,
        })),
      ),
    close: () => settled(() => void db.close()),
  };
}
