import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase } from '../../activities/sql/open-database.js';
import { postgresTestUrl, requirePostgres } from '../helpers/postgres.js';
import sqlParser from 'node-sql-parser';
import { checkSql } from '../../activities/sql/sql-guard.js';
import type { SqlDialect } from '../../common/database.js';

const fixtures = new URL('../fixtures/sqli/', import.meta.url);
const chinook = new URL('../../examples/databases/chinook.sqlite', import.meta.url);
const dialects: SqlDialect[] = ['sqlite', 'postgres'];

/** How a model might splice an injected string into the SQL it writes; quotes are not escaped. */
const wrappers: Array<(payload: string) => string> = [
  (payload) => `SELECT * FROM "Customer" WHERE "Email" = '${payload}'`,
  (payload) => `SELECT * FROM "Customer" WHERE "CustomerId" = ${payload}`,
  (payload) => payload,
  (payload) => `SELECT "Name" FROM "Artist"; ${payload}`,
];

const payloadFiles = readdirSync(fixtures)
  .filter((name) => name.endsWith('.txt') || name.startsWith('payloads-'))
  .sort();

function payloadsIn(file: string): string[] {
  return readFileSync(new URL(file, fixtures), 'utf8')
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '');
}

const { Parser } = sqlParser;
const parser = new Parser();

/** Parses independently of the guard (PostgreSQL grammar as the SQLite fallback, as the guard does). */
function parseAlone(sql: string, dialect: SqlDialect): unknown {
  try {
    return parser.astify(sql, { database: dialect === 'postgres' ? 'postgresql' : 'sqlite' });
  } catch {
    return parser.astify(sql, { database: 'postgresql' });
  }
}

/** Every `type` value and every called name anywhere in the tree. */
function typesAndCalls(node: unknown, types: Set<string>, calls: Set<string>): void {
  if (Array.isArray(node)) return node.forEach((item) => typesAndCalls(item, types, calls));
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (typeof record.type === 'string') types.add(record.type.toLowerCase());
  if (record.type === 'function' || record.type === 'aggr_func' || record.type === 'window_func') {
    const name = record.name;
    const parts =
      typeof name === 'string' ? [name] : ((name as { name?: Array<{ value?: unknown }> }).name ?? []);
    for (const part of parts) calls.add(String(typeof part === 'string' ? part : part.value).toLowerCase());
  }
  for (const child of Object.values(record)) typesAndCalls(child, types, calls);
}

const writes = [
  'insert',
  'update',
  'delete',
  'replace',
  'create',
  'drop',
  'alter',
  'truncate',
  'rename',
  'set',
];
const dangerous = [
  'sleep',
  'pg_sleep',
  'benchmark',
  'load_extension',
  'pg_read_file',
  'lo_import',
  'version',
];

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

void describe('SQL guard against the PayloadsAllTheThings injection corpus', () => {
  void it('lets through nothing that writes, runs a second statement or calls a non-allowed function', (t) => {
    const accepted: string[] = [];
    let total = 0;
    for (const file of payloadFiles) {
      const payloads = payloadsIn(file);
      for (const dialect of dialects) {
        let refused = 0;
        let passed = 0;
        for (const payload of payloads) {
          for (const wrap of wrappers) {
            const sql = wrap(payload);
            const verdict = checkSql(sql, { dialect });
            total += 1;
            if (!verdict.safe) {
              refused += 1;
              continue;
            }
            passed += 1;
            const ast = parseAlone(sql, dialect);
            const statements = Array.isArray(ast) ? ast : [ast];
            assert.equal(statements.length, 1, `${dialect} accepted several statements: ${sql}`);
            assert.equal((statements[0] as { type?: unknown }).type, 'select', `${dialect}: ${sql}`);
            const types = new Set<string>();
            const calls = new Set<string>();
            typesAndCalls(statements[0], types, calls);
            for (const write of writes)
              assert.ok(!types.has(write), `${dialect} accepted a ${write}: ${sql}`);
            for (const call of dangerous)
              assert.ok(!calls.has(call), `${dialect} accepted ${call}(): ${sql}`);
            if (dialect === 'sqlite') accepted.push(sql);
            else acceptedOnPostgres.push(sql);
          }
        }
        t.diagnostic(
          `${file} ${dialect}: ${payloads.length} payloads, ${refused} refused, ${passed} accepted`,
        );
      }
    }
    t.diagnostic(
      `${total} wrapped statements checked; ${accepted.length} accepted on sqlite, ${acceptedOnPostgres.length} on postgres`,
    );
    acceptedOnSqlite.push(...accepted);
  });

  void it('leaves a read-only Chinook copy byte-identical after running every statement accepted on sqlite', (t) => {
    const directory = mkdtempSync(path.join(tmpdir(), 'llmos-sqli-'));
    try {
      const file = path.join(directory, 'chinook.sqlite');
      copyFileSync(chinook, file);
      const before = sha256(file);
      const database = new Database(file, { readonly: true, fileMustExist: true });
      let ran = 0;
      let failed = 0;
      try {
        for (const sql of acceptedOnSqlite) {
          try {
            const statement = database.prepare(sql);
            // SQLite's own verdict: the prepared program writes nothing.
            assert.equal(statement.readonly, true, `sqlite says this writes: ${sql}`);
            let rows = 0;
            for (const _row of statement.iterate()) if (++rows >= 1000) break;
            ran += 1;
          } catch (error) {
            if (error instanceof assert.AssertionError) throw error;
            failed += 1;
          }
        }
      } finally {
        database.close();
      }
      t.diagnostic(
        `${acceptedOnSqlite.length} accepted statements: ${ran} ran, ${failed} failed with an SQL error`,
      );
      assert.equal(sha256(file), before);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  void it(
    'leaves the PostgreSQL Chinook unchanged after running every statement accepted on postgres',
    requirePostgres(),
    async (t) => {
      const backend = await openDatabase(postgresTestUrl()!);
      try {
        const before = await backend.checksum();
        let ran = 0;
        let failed = 0;
        for (const sql of acceptedOnPostgres) {
          const result = await backend.execute(sql, { timeoutMs: 2_000, maxRows: 100 });
          if (result.ok) ran += 1;
          else failed += 1;
        }
        t.diagnostic(
          `${acceptedOnPostgres.length} accepted statements: ${ran} ran, ${failed} failed with an SQL error`,
        );
        assert.equal(await backend.checksum(), before);
      } finally {
        await backend.close();
      }
    },
  );
});

const acceptedOnSqlite: string[] = [];
const acceptedOnPostgres: string[] = [];
