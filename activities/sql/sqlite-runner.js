// @ts-check
/**
 * Child process that runs SQL against one SQLite file for sqlite-backend.ts. better-sqlite3 is
 * synchronous and cannot be interrupted, so a slow statement is stopped by the parent killing
 * this process. Plain JavaScript, so it starts in about 0.15 s without a TypeScript loader.
 *
 * Protocol (IPC, JSON): on start it sends `{ type: 'ready' }` or `{ type: 'failed', error }`;
 * then for each `{ id, sql, maxRows }` it answers `{ id, ok: true, columns, rows, truncated }`
 * or `{ id, ok: false, error }`.
 */
import Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';

const file = process.argv[2] ?? '';
const send = (/** @type {unknown} */ message) => process.send?.(message);

// When the parent dies the IPC channel closes; an idle runner exits on 'disconnect'. A runner
// busy in native code cannot see that, so a watchdog thread kills the process once it is
// orphaned (its parent pid changes).
process.on('disconnect', () => process.exit(0));
new Worker(
  `const { workerData } = require('node:worker_threads');
   setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, 'SIGKILL'); }, 250).unref();
   setInterval(() => {}, 1 << 30);`,
  { eval: true, workerData: process.ppid },
).unref();

/** @param {unknown} value */
function toJson(value) {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (Buffer.isBuffer(value)) return `<blob ${value.length} bytes>`;
  if (value === undefined) return null;
  return /** @type {string | number | null} */ (value);
}

/** @type {import('better-sqlite3').Database} */
let db;
try {
  db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('query_only = ON');
  // Opening is lazy: this read fails now, not on the first query, when the file is not a database.
  db.prepare('SELECT count(*) FROM sqlite_master').get();
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

process.on('message', (/** @type {{ id: number, sql: string, maxRows: number }} */ request) => {
  const { id, sql, maxRows } = request;
  try {
    const statement = db.prepare(sql);
    if (!statement.reader) {
      // Not a query (a write the guard should have stopped, or a PRAGMA): run it so SQLite itself
      // refuses writes, then make sure nothing switched query_only off.
      statement.run();
      db.pragma('query_only = ON');
      send({ id, ok: true, columns: [], rows: [], truncated: false });
      return;
    }
    statement.safeIntegers(true).raw(true);
    const columns = statement.columns().map((column) => column.name);
    const rows = [];
    let truncated = false;
    for (const row of /** @type {Iterable<unknown[]>} */ (statement.iterate())) {
      if (rows.length === maxRows) {
        truncated = true;
        break; // leaving the loop finalizes the iterator: SQLite stops stepping here
      }
      rows.push(row.map(toJson));
    }
    send({ id, ok: true, columns, rows, truncated });
  } catch (error) {
    send({ id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
});
