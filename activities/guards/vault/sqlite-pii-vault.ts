import { addMissingColumns, openSharedSqlite, settled } from '../../llm/shared-sqlite.js';
import type { PiiVaultEntry } from '../pii/mask-pii.js';
import {
  vaultInsertSql,
  vaultPruneSql,
  vaultRetentionColumns,
  vaultTableSql,
  type PiiVault,
  type VaultRow,
} from './pii-vault.js';

/**
 * The vault in a SQLite file (the audit trail's, LLMOS_AUDIT_FILE, in its own table): for the
 * workers of one machine. An update runs in one immediate transaction, so two activities of a
 * run never number a new value alike.
 */
export function openSqlitePiiVault(file: string): PiiVault {
  const db = openSharedSqlite(file);
  db.exec(vaultTableSql);
  addMissingColumns(db, 'pii_vault', vaultRetentionColumns);
  const select = db.prepare('SELECT placeholder, type, value FROM pii_vault WHERE vault_id = ? ORDER BY seq');
  const insert = db.prepare(vaultInsertSql(() => '?'));
  const read = (vaultId: string): PiiVaultEntry[] => select.all(vaultId) as VaultRow[];
  return {
    update(vaultId, work, stamp = {}) {
      const createdAt = (stamp.now ?? new Date()).toISOString();
      const run = db.transaction(() => {
        const entries = read(vaultId);
        const { result, added } = work(entries);
        added.forEach((entry, index) =>
          insert.run(
            vaultId,
            entries.length + index + 1,
            entry.placeholder,
            entry.type,
            entry.value,
            stamp.tenant ?? null,
            createdAt,
          ),
        );
        return result;
      });
      return settled(() => run.immediate());
    },
    entries: (vaultId) => Promise.resolve(read(vaultId)),
    prune(scope) {
      const { sql, values } = vaultPruneSql(scope, () => '?');
      return settled(() => {
        const removed = db.prepare(sql).all(...values) as { vault_id: string }[];
        return new Set(removed.map((row) => row.vault_id)).size;
      });
    },
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}
