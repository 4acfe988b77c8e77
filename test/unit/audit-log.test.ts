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
import { detailDigest, recordHash, genesisHash } from '../../activities/audit/audit-chain.js';
import { createTestDatabase, requirePostgres } from '../helpers/postgres.js';

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
          problem: 'its detail does not match its digest',
        });
        // A digest made to match the edit is caught by the hash, which covers the digest.
        await store.sql(
          `UPDATE audit_records SET detail_sha256 = '${detailDigest({ n: 20 })}' WHERE seq = 2`,
        );
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

    void it("empties a tenant's old details on a retention pass, records the pass, and still verifies", async () => {
      const store = await open();
      try {
        const { log } = store;
        const old = new Date('2026-01-01T00:00:00Z');
        const recent = new Date('2026-06-01T00:00:00Z');
        const tenantEntry = (key: string, tenant?: string): AuditEntry => ({
          ...entry(key, 'r', { verdict: 'mask', key }),
          ...(tenant ? { tenant } : {}),
        });
        await log.append(
          [tenantEntry('old/desk', 'desk'), tenantEntry('old/none'), tenantEntry('old/lab', 'lab')],
          old,
        );
        await log.append([tenantEntry('new/desk', 'desk')], recent);
        const before = '2026-03-01T00:00:00.000Z';
        const now = new Date('2026-06-02T00:00:00Z');
        assert.equal(await log.prune({ tenant: 'desk', before }, now, { vaults: 2 }), 1);
        // The default policy's pass: runs without a tenant, and tenants without a policy of their own.
        assert.equal(await log.prune({ exceptTenants: ['desk'], before }, now), 2);
        const records = await log.read();
        assert.deepEqual(
          records.map((record) => [record.key, record.prunedAt ?? null, record.detail]),
          [
            ['old/desk', now.toISOString(), {}],
            ['old/none', now.toISOString(), {}],
            ['old/lab', now.toISOString(), {}],
            ['new/desk', null, { verdict: 'mask', key: 'new/desk' }],
            [`retention/desk/${now.toISOString()}`, null, { tenant: 'desk', before, vaults: 2, pruned: 1 }],
            [`retention/default/${now.toISOString()}`, null, { exceptTenants: ['desk'], before, pruned: 2 }],
          ],
        );
        assert.deepEqual(await log.verify(), { ok: true, records: 6 });
        // A second pass finds nothing more; a retention record is never emptied.
        assert.equal(
          await log.prune({ before: '2027-01-01T00:00:00.000Z' }, new Date('2026-06-03T00:00:00Z')),
          1,
        );
        assert.deepEqual(await log.verify(), { ok: true, records: 7 });
        // Only a pass may empty a detail, and it may do nothing else.
        await assert.rejects(
          store.sql(
            `UPDATE audit_records SET detail = '{}', pruned_at = 'x', kind = 'sql' WHERE key = 'new/desk'`,
          ),
          /append-only/,
        );
      } finally {
        await store.close();
      }
    });

    void it('finds a detail emptied behind its back, with no retention pass to cover it', async () => {
      const store = await open();
      try {
        const { log } = store;
        await log.append(
          [entry('e/1', 'r', { n: 1 }), entry('e/2', 'r', { n: 2 })],
          new Date('2026-01-01T00:00:00Z'),
        );
        // The trigger lets the emptying through, as a pass would make it; no pass is recorded.
        await store.sql(
          `UPDATE audit_records SET detail = '{}', pruned_at = '2026-02-01T00:00:00.000Z' WHERE seq = 1`,
        );
        assert.deepEqual(await log.verify(), {
          ok: false,
          records: 2,
          seq: 1,
          problem: 'its detail was emptied, but no retention pass recorded after it covers it',
        });
        // A detail edited to match no digest is found too, even with the hash left alone.
        await store.dropGuards();
        await store.sql(`UPDATE audit_records SET detail = '{"n":3}', pruned_at = NULL WHERE seq = 1`);
        assert.deepEqual(await log.verify(), {
          ok: false,
          records: 2,
          seq: 1,
          problem: 'its detail does not match its digest',
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

void describe('SQLite audit log made before retention existed', () => {
  void it('gains the new columns, verifies its old records, chains new ones, and never empties an old one', async () => {
    const file = path.join(folder, `${randomUUID()}.sqlite`);
    const db = new Database(file);
    // The table and one record as the first version of the trail wrote them: the hash covers the detail.
    db.exec(`CREATE TABLE audit_records (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, key TEXT NOT NULL UNIQUE,
      workflow_id TEXT NOT NULL, run_id TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL,
      prev_hash TEXT NOT NULL, hash TEXT NOT NULL)`);
    const legacy = { ...entry('legacy/1', 'r', { verdict: 'flag' }), seq: 1, at: '2025-01-01T00:00:00.000Z' };
    db.prepare('INSERT INTO audit_records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      1,
      legacy.at,
      legacy.key,
      legacy.workflowId,
      legacy.runId,
      legacy.kind,
      JSON.stringify(legacy.detail),
      genesisHash,
      recordHash(genesisHash, legacy),
    );
    db.close();
    const log = openSqliteAuditLog(file);
    try {
      await log.append([entry('new/1', 'r', { verdict: 'allow' })], new Date('2025-02-01T00:00:00Z'));
      assert.deepEqual(await log.verify(), { ok: true, records: 2 });
      // Its detail has no digest to stand in for it: the pass leaves it whole.
      assert.equal(await log.prune({ before: '2026-01-01T00:00:00.000Z' }), 1);
      const [first, second] = await log.read();
      assert.deepEqual([first?.detail, first?.prunedAt], [{ verdict: 'flag' }, undefined]);
      assert.deepEqual(second?.detail, {});
      assert.deepEqual(await log.verify(), { ok: true, records: 3 });
    } finally {
      await log.close();
    }
  });
});

contract('PostgreSQL', requirePostgres(), async () => {
  const database = await createTestDatabase('llmos_audit');
  const log = openPostgresAuditLog(database.url);
  const direct = new pg.Client({ connectionString: database.url });
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
      await database.drop();
    },
  };
});
