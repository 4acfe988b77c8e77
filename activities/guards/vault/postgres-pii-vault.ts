import { inLockedTransaction, openStorePool, schemaOnce } from '../../audit/postgres-store.js';
import {
  vaultInsertSql,
  vaultPruneSql,
  vaultRetentionColumns,
  vaultTableSql,
  type PiiVault,
  type VaultRow,
} from './pii-vault.js';

/**
 * The vault in PostgreSQL (the audit trail's database, LLMOS_AUDIT_POSTGRES_URL), for workers on
 * several machines. An update holds a transaction-scoped advisory lock on its vault id, so the
 * activities of one run take turns while other runs go on.
 */
export function openPostgresPiiVault(url: string): PiiVault {
  const pool = openStorePool(url);
  // Workers starting together each create the table: a lock makes them take turns.
  const ensureSchema = schemaOnce(pool, 'pii_vault', async (client) => {
    await client.query(vaultTableSql);
    for (const column of vaultRetentionColumns)
      await client.query(`ALTER TABLE pii_vault ADD COLUMN IF NOT EXISTS ${column}`);
  });
  const selectSql = 'SELECT placeholder, type, value FROM pii_vault WHERE vault_id = $1 ORDER BY seq';
  return {
    async update(vaultId, work, stamp = {}) {
      await ensureSchema();
      const createdAt = (stamp.now ?? new Date()).toISOString();
      return inLockedTransaction(pool, `pii_vault:${vaultId}`, async (client) => {
        const entries = (await client.query<VaultRow>(selectSql, [vaultId])).rows;
        const { result, added } = work(entries);
        for (const [index, entry] of added.entries()) {
          await client.query(
            vaultInsertSql((column) => `$${column + 1}`),
            [
              vaultId,
              entries.length + index + 1,
              entry.placeholder,
              entry.type,
              entry.value,
              stamp.tenant ?? null,
              createdAt,
            ],
          );
        }
        return result;
      });
    },
    async entries(vaultId) {
      await ensureSchema();
      return (await pool.query<VaultRow>(selectSql, [vaultId])).rows;
    },
    async prune(scope) {
      await ensureSchema();
      const { sql, values } = vaultPruneSql(scope, (index) => `$${index + 1}`);
      const removed = await pool.query<{ vault_id: string }>(sql, values);
      return new Set(removed.rows.map((row) => row.vault_id)).size;
    },
    close: () => pool.end(),
  };
}
