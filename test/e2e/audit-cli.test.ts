/** `llmos audit` as a user runs it: the trail of LLMOS_AUDIT_FILE, one run's records, and --verify. */
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqliteAuditLog } from '../../activities/audit/sqlite-audit-log.js';
import { describeRun, runLlmos } from '../helpers/worker-process.js';

void describe('llmos audit, end to end', () => {
  let folder: string;
  let file: string;
  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'llmos-audit-cli-'));
    file = path.join(folder, 'audit.sqlite');
    const log = openSqliteAuditLog(file);
    await log.append(
      [
        {
          key: 'x/1',
          workflowId: 'agent-1',
          runId: 'run-1',
          kind: 'guard',
          detail: { stage: 'input', verdict: 'allow' },
        },
        {
          key: 'x/2',
          workflowId: 'agent-1',
          runId: 'run-1',
          kind: 'pii-masked',
          detail: { EMAIL_ADDRESS: 1 },
        },
        {
          key: 'x/3',
          workflowId: 'agent-2',
          runId: 'run-2',
          kind: 'tool-call',
          detail: { tool: 'calculator' },
        },
      ],
      new Date('2026-12-01T10:00:00Z'),
    );
    await log.close();
  });
  after(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  void it("shows one run's records and verifies the chain", async () => {
    const run = await runLlmos(['audit', '--run', 'run-1', '--verify', '--json'], { LLMOS_AUDIT_FILE: file });
    assert.equal(run.code, 0, describeRun(run));
    const records = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; kind: string });
    assert.deepEqual(
      records.map((record) => [record.seq, record.kind]),
      [
        [1, 'guard'],
        [2, 'pii-masked'],
      ],
    );
    assert.match(run.stderr, /audit chain intact: 3 records/);
  });

  void it('fails --verify and names the record after one is edited', async () => {
    const db = new Database(file);
    db.exec('DROP TRIGGER audit_records_no_update');
    db.prepare(`UPDATE audit_records SET detail = '{"tool":"http_get"}' WHERE seq = 3`).run();
    db.close();
    const run = await runLlmos(['audit', '--verify'], { LLMOS_AUDIT_FILE: file });
    assert.equal(run.code, 1, describeRun(run));
    assert.match(run.stderr, /audit chain BROKEN at record 3 of 3 .*: its detail does not match its digest/);
    assert.match(run.stdout, /^ +3 {2}2026-12-01T10:00:00\.000Z {2}agent-2 {2}tool-call/m);
  });
});

void describe('llmos audit prune, end to end', () => {
  let folder: string;
  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'llmos-audit-prune-'));
  });
  after(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  void it("empties each tenant's records past its retention, keeps the rest, and the chain still verifies", async () => {
    const file = path.join(folder, 'audit.sqlite');
    const log = openSqliteAuditLog(file);
    const record = (key: string, tenant?: string) => ({
      key,
      workflowId: `agent-${key}`,
      runId: `run-${key}`,
      kind: 'guard' as const,
      detail: { stage: 'input', verdict: 'flag' },
      ...(tenant ? { tenant } : {}),
    });
    await log.append(
      [record('desk-old', 'support-desk'), record('plain-old')],
      new Date('2026-01-10T00:00:00Z'),
    );
    await log.append([record('desk-new', 'support-desk')], new Date('2026-03-20T00:00:00Z'));
    await log.close();
    const policies = path.join(folder, 'policies.yaml');
    await writeFile(
      policies,
      'default: { auditRetentionDays: 365 }\ntenants:\n  support-desk: { providers: [anthropic], auditRetentionDays: 30 }\n',
    );
    const env = { LLMOS_AUDIT_FILE: file, LLMOS_POLICIES_FILE: policies };
    const pruned = await runLlmos(['audit', 'prune', '--now', '2026-04-01T00:00:00Z'], env);
    assert.equal(pruned.code, 0, describeRun(pruned));
    assert.deepEqual(pruned.stdout.trim().split('\n'), [
      `default: 0 record details emptied, 0 PII vaults removed (before 2025-04-01T00:00:00.000Z) in ${file}`,
      `support-desk: 1 record details emptied, 0 PII vaults removed (before 2026-03-02T00:00:00.000Z) in ${file}`,
    ]);
    const shown = await runLlmos(['audit', '--verify'], env);
    assert.equal(shown.code, 0, describeRun(shown));
    assert.match(shown.stderr, /audit chain intact: 5 records/);
    assert.match(
      shown.stdout,
      /agent-desk-old {2}guard +\(detail emptied 2026-04-01T00:00:00\.000Z by retention\)/,
    );
    assert.match(shown.stdout, /agent-plain-old {2}guard +\{"stage":"input","verdict":"flag"\}/);
    const badTime = await runLlmos(['audit', 'prune', '--now', 'yesterday'], env);
    assert.equal(badTime.code, 1, describeRun(badTime));
    assert.match(
      badTime.stderr,
      /option '--now <time>' argument 'yesterday' is invalid\. "yesterday" is not an ISO 8601 time/,
    );
  });
});
