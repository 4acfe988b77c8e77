import { redactUrl } from '../redact-url.js';

export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

/** Throws a message naming the (redacted) URL when it cannot name a PostgreSQL database. */
export function checkPostgresUrl(database: string): void {
  let url: URL;
  try {
    url = new URL(database);
  } catch {
    throw new Error('not a valid PostgreSQL URL (it does not parse as a URL)');
  }
  if (!url.hostname) throw new Error(`PostgreSQL URL without a host: ${redactUrl(database)}`);
  if (url.pathname.length <= 1) {
    throw new Error(`PostgreSQL URL without a database name: ${redactUrl(database)}`);
  }
}
