import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { PiiVaultEntry } from '../../activities/guards/pii/mask-pii.js';
import type { PiiVault } from '../../activities/guards/vault/pii-vault.js';
import { openPostgresPiiVault } from '../../activities/guards/vault/postgres-pii-vault.js';
import { openSqlitePiiVault } from '../../activities/guards/vault/sqlite-pii-vault.js';
import { createTestDatabase, requirePostgres } from '../helpers/postgres.js';

const folder = mkdtempSync(path.join(tmpdir(), 'llmos-vault-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** The work a masking step does: a known value keeps its placeholder, a new one takes the next number. */
function placeholderFor(value: string) {
  return (entries: PiiVaultEntry[]) => {
    const known = entries.find((entry) => entry.value === value);
    if (known) return { result: known.placeholder, added: [] };
    const entry: PiiVaultEntry = {
      placeholder: `<EMAIL_${entries.length + 1}>`,
      type: 'EMAIL_ADDRESS',
      value,
    };
    return { result: entry.placeholder, added: [entry] };
  };
}

function contract(
  name: string,
  skip: string | false,
  open: () => Promise<{ vault: PiiVault; close: () => Promise<void> }>,
) {
  void describe(`PII vault: ${name}`, { skip }, () => {
    void it('gives activities masking at once distinct placeholders, and one value always the same', async () => {
      const { vault, close } = await open();
      try {
        const run = `run-${randomUUID()}`;
        const values = Array.from({ length: 12 }, (_, index) => `person${index}@example.com`);
        const placeholders = await Promise.all(
          values.map((value) => vault.update(run, placeholderFor(value))),
        );
        assert.equal(new Set(placeholders).size, values.length, placeholders.join(' '));
        // Again, as a retried activity would: the same placeholders, nothing added.
        assert.deepEqual(
          await Promise.all(values.map((value) => vault.update(run, placeholderFor(value)))),
          placeholders,
        );
        const entries = await vault.entries(run);
        assert.equal(entries.length, values.length);
        assert.deepEqual(
          entries.map((entry) => entry.placeholder),
          Array.from({ length: values.length }, (_, index) => `<EMAIL_${index + 1}>`),
        );
        // Another run's vault is its own.
        assert.deepEqual(await vault.entries(`run-${randomUUID()}`), []);
      } finally {
        await close();
      }
    });

    void it("removes a tenant's vaults that got no value since the cutoff, and keeps one still in use", async () => {
      const { vault, close } = await open();
      try {
        const [oldDesk, liveDesk, oldLab, oldNone] = ['old-desk', 'live-desk', 'old-lab', 'old-none'].map(
          (name) => `${name}-${randomUUID()}`,
        );
        const at = (day: string) => ({ now: new Date(`2026-${day}T00:00:00Z`) });
        await vault.update(oldDesk!, placeholderFor('a@example.com'), { tenant: 'desk', ...at('01-01') });
        await vault.update(liveDesk!, placeholderFor('b@example.com'), { tenant: 'desk', ...at('01-01') });
        await vault.update(liveDesk!, placeholderFor('c@example.com'), { tenant: 'desk', ...at('05-01') });
        await vault.update(oldLab!, placeholderFor('d@example.com'), { tenant: 'lab', ...at('01-01') });
        await vault.update(oldNone!, placeholderFor('e@example.com'), at('01-01'));
        const before = '2026-03-01T00:00:00.000Z';
        assert.equal(await vault.prune({ tenant: 'desk', before }), 1);
        assert.deepEqual(await vault.entries(oldDesk!), []);
        // A vault still in use keeps its old values too: a placeholder never comes to stand for two.
        assert.equal((await vault.entries(liveDesk!)).length, 2);
        assert.equal(await vault.prune({ exceptTenants: ['desk', 'lab'], before }), 1);
        assert.deepEqual(await vault.entries(oldNone!), []);
        assert.equal((await vault.entries(oldLab!)).length, 1);
      } finally {
        await close();
      }
    });
  });
}

contract('SQLite', false, () => {
  const vault = openSqlitePiiVault(path.join(folder, `${randomUUID()}.sqlite`));
  return Promise.resolve({ vault, close: () => vault.close() });
});

contract('PostgreSQL', requirePostgres().skip, async () => {
  const database = await createTestDatabase('llmos_vault');
  const vault = openPostgresPiiVault(database.url);
  return {
    vault,
    async close() {
      await vault.close();
      await database.drop();
    },
  };
});
