import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqliteAuditLog } from '../../activities/audit/sqlite-audit-log.js';
import type { AuditEntry } from '../../common/audit.js';

const entry = (key: string, runId: string, detail: Record<string, unknown>): AuditEntry => ({
  key,
  workflowId: `wf-${runId}`,
  runId,
  kind: 'guard',
  detail,
});

void describe('SQLite audit log', () => {
  let folder: string;
  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'llmos-audit-'));
  });
  after(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  void it('chains records, skips a key recorded already, and reads one run', async () => {
    const log = openSqliteAuditLog(path.join(folder, 'chain.sqlite'));
    await log.append([entry('a/1', 'r1', { verdict: 'allow' }), entry('a/2', 'r2', { verdict: 'flag' })]);
    // A retried activity appends the same events again: nothing changes.
    await log.append([entry('a/1', 'r1', { verdict: 'allow' }), entry('a/3', 'r1', { verdict: 'block' })]);
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
    assert.deepEqual(
      (await log.read({ runId: 'r1' })).map((record) => record.key),
      ['a/1', 'a/3'],
    );
    assert.deepEqual(await log.verify(), { ok: true, records: 3 });
    await log.close();
  });

  void it('refuses updates and deletes, and finds an edit made behind its back', async () => {
    const file = path.join(folder, 'tamper.sqlite');
    const log = openSqliteAuditLog(file);
    await log.append([1, 2, 3].map((n) => entry(`t/${n}`, 'r', { n })));
    const db = new Database(file);
    assert.throws(
      () => db.prepare("UPDATE audit_records SET detail = '{}' WHERE seq = 2").run(),
      /append-only/,
    );
    assert.throws(() => db.prepare('DELETE FROM audit_records WHERE seq = 2').run(), /append-only/);
    // Someone with write access drops the guard and edits a record.
    db.exec('DROP TRIGGER audit_records_no_update');
    db.prepare(`UPDATE audit_records SET detail = '{"n":20}' WHERE seq = 2`).run();
    assert.deepEqual(await log.verify(), {
      ok: false,
      records: 3,
      seq: 2,
      problem: 'its contents do not match its hash',
    });
    db.exec('DROP TRIGGER audit_records_no_delete');
    db.prepare('DELETE FROM audit_records WHERE seq = 2').run();
    assert.deepEqual(await log.verify(), { ok: false, records: 2, seq: 3, problem: 'record 2 is missing' });
    db.close();
    await log.close();
  });
});
