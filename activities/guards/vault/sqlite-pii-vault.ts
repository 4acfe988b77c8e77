import { openSharedSqlite } from '../../llm/shared-sqlite.js';
import type { PiiVaultEntry } from '../pii/mask-pii.js';
import { vaultTableSql, type PiiVault, type VaultRow } from './pii-vault.js';

/**
 * The vault in a SQLite file (the audit trail's, LLMOS_AUDIT_FILE, in its own table): for the
 * workers of one machine. An update runs in one immediate transaction, so two activities of a
 * run never number a new value alike.
 */
export function openSqlitePiiVault(file: string): PiiVault {
  const db = openSharedSqlite(file);
  db.exec(vaultTableSql);
  const select = db.prepare('SELECT placeholder, type, value FROM pii_vault WHERE vault_id = ? ORDER BY seq');
  const insert = db.prepare(
    'INSERT INTO pii_vault (vault_id, seq, placeholder, type, value) VALUES (?, ?, ?, ?, ?)',
  );
  const read = (vaultId: string): PiiVaultEntry[] => select.all(vaultId) as VaultRow[];
  return {
    update(vaultId, work) {
      const run = db.transaction(() => {
        const entries = read(vaultId);
        const { result, added } = work(entries);
        added.forEach((entry, index) =>
          insert.run(vaultId, entries.length + index + 1, entry.placeholder, entry.type, entry.value),
        );
        return result;
      });
      try {
        return Promise.resolve(run.immediate());
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    entries: (vaultId) => Promise.resolve(read(vaultId)),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}
