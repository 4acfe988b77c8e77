/**
 * The audit trail's two stores, one contract: SQLite (the default) and PostgreSQL (run when the
 * test PostgreSQL is there, in a database of its own). Tampering goes around the store, as
 * someone with write access to the database would.
 */
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { AuditLog } from '../../activities/audit/audit-log.js';
import { openPostgresAuditLog } from '../../activities/audit/postgres-audit-log.js';
import { openSqliteAuditLog } from '../../activities/audit/sqlite-audit-log.js';
import type { AuditEntry } from '../../common/audit.js';
import { postgresTestUrl, requirePostgres } from '../helpers/postgres.js';

const entry = (key: string, runId: string, detail: Record<string, unknown>): AuditEntry => ({
  key,
  workflowId: `wf-${runId}`,
  runId,
  kind: 'guard',
  detail,
});

/** A store, and ways to run SQL on its database behind its back. */
interface Store {
  log: AuditLog;
  sql(statement: string): Promise<void>;
  /** Drops the triggers that refuse UPDATE and DELETE, as someone with write access could. */
  dropGuards(): Promise<void>;
  close(): Promise<void>;
}

function contract(name: string, options: { skip: string | false }, open: () => Promise<Store>): void {
  void describe(`${name} audit log`, options, () => {
    void it('chains records, skips a key recorded already, and reads one run', async () => {
      const store = await open();
      try {
        const { log } = store;
        await log.append([entry('a/1', 'r1', { verdict: 'allow' }), entry('a/2', 'r2', { verdict: 'flag' })]);
        // A retried activity appends the same events again: nothing changes.
        await log.append([
          entry('a/1', 'r1', { verdict: 'allow' }),
          entry('a/3', 'r1', { verdict: 'block' }),
        ]);
        const records = await log.read();
        assert.deepEqual(
          records.map((record) => [record.seq, record.key]),
          [
            [1, 'a/1'],
            [2, 'a/2'],
            [3, 'a/3'],
          ],
        );
        assert.equal(records[1]!.prevHash, records[0]!.hash);
        assert.deepEqual(records[2]!.detail, { verdict: 'block' });
        assert.deepEqual(
          (await log.read({ runId: 'r1' })).map((record) => record.key),
          ['a/1', 'a/3'],
        );
        assert.deepEqual(await log.verify(), { ok: true, records: 3 });
      } finally {
        await store.close();
      }
    });

    void it('refuses updates and deletes, and finds an edit or a removal made behind its back', async () => {
      const store = await open();
      try {
        const { log } = store;
        await log.append([1, 2, 3].map((n) => entry(`t/${n}`, 'r', { n })));
        await assert.rejects(
          store.sql("UPDATE audit_records SET detail = '{}' WHERE seq = 2"),
          /append-only/,
        );
        await assert.rejects(store.sql('DELETE FROM audit_records WHERE seq = 2'), /append-only/);
        await store.dropGuards();
        await store.sql(`UPDATE audit_records SET detail = '{"n":20}' WHERE seq = 2`);
        assert.deepEqual(await log.verify(), {
          ok: false,
          records: 3,
          seq: 2,
          problem: 'its contents do not match its hash',
        });
        await store.sql('DELETE FROM audit_records WHERE seq = 2');
        assert.deepEqual(await log.verify(), {
          ok: false,
          records: 2,
          seq: 3,
          problem: 'record 2 is missing',
        });
      } finally {
        await store.close();
      }
    });
  });
}

let folder: string;
before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'llmos-audit-'));
});
after(async () => {
  await rm(folder, { recursive: true, force: true });
});

contract('SQLite', { skip: false }, () => {
  const file = path.join(folder, `${randomUUID()}.sqlite`);
  const log = openSqliteAuditLog(file);
  const db = new Database(file);
  // better-sqlite3 is synchronous: a throw becomes the promise's rejection.
  const run = (statement: string) => Promise.resolve().then(() => void db.exec(statement));
  return Promise.resolve({
    log,
    sql: run,
    dropGuards: () => run('DROP TRIGGER audit_records_no_update; DROP TRIGGER audit_records_no_delete'),
    async close() {
      db.close();
      await log.close();
    },
  });
});

contract('PostgreSQL', requirePostgres(), async () => {
  // The test cluster trusts local connections: its superuser makes a database for this test.
  const admin = new URL(postgresTestUrl()!);
  admin.username = 'postgres';
  admin.pathname = '/postgres';
  const database = `llmos_audit_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const adminClient = new pg.Client({ connectionString: admin.href });
  await adminClient.connect();
  await adminClient.query(`CREATE DATABASE ${database}`);
  const url = new URL(admin.href);
  url.pathname = `/${database}`;
  const log = openPostgresAuditLog(url.href);
  const direct = new pg.Client({ connectionString: url.href });
  await direct.connect();
  return {
    log,
    async sql(statement) {
      await direct.query(statement);
    },
    async dropGuards() {
      await direct.query('DROP TRIGGER audit_records_no_change ON audit_records');
    },
    async close() {
      await direct.end();
      await log.close();
      await adminClient.query(`DROP DATABASE ${database} WITH (FORCE)`);
      await adminClient.end();
    },
  };
});
