export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

/** The URL with its password replaced by `***`, for logs, traces and error messages. */
export function redactPostgresUrl(database: string): string {
  try {
    const url = new URL(database);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return database.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}

/** Throws a message naming the (redacted) URL when it cannot name a PostgreSQL database. */
export function checkPostgresUrl(database: string): void {
  let url: URL;
  try {
    url = new URL(database);
  } catch {
    throw new Error(`not a valid PostgreSQL URL: ${redactPostgresUrl(database)}`);
  }
  if (!url.hostname) throw new Error(`PostgreSQL URL without a host: ${redactPostgresUrl(database)}`);
  if (url.pathname.length <= 1) {
    throw new Error(`PostgreSQL URL without a database name: ${redactPostgresUrl(database)}`);
  }
}
