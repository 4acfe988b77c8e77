import { scopeCondition, type RetentionScope } from '../../audit/retention-scope.js';
import type { PiiVaultEntry } from '../pii/mask-pii.js';

/**
 * Where a run's masked values are kept: the placeholder that went to the provider, and the value
 * it stands for. Keyed by the run's vault id (its first execution's run id, the same after
 * continue-as-new), so every activity of a run, in parallel or retried, gives one value one
 * placeholder; history holds only the placeholders and the id.
 */
export interface PiiVault {
  /**
   * Runs `work` on the run's entries and keeps what it adds, atomically: two activities of one
   * run masking at once never hand out the same placeholder. `work` must be synchronous and
   * pure (it may run again on a retry, and then finds its own entries).
   */
  update<T>(
    vaultId: string,
    work: (entries: PiiVaultEntry[]) => { result: T; added: PiiVaultEntry[] },
    /** The run's tenant, whose retention removes the values; when they are added. */
    stamp?: { tenant?: string | undefined; now?: Date },
  ): Promise<T>;
  /** The run's entries, oldest first: what restores an answer for the user. */
  entries(vaultId: string): Promise<PiiVaultEntry[]>;
  /**
   * Removes the vaults in `scope` that got no value since `scope.before` (a vault still in use
   * keeps every value, so a placeholder never stands for two). Returns how many it removed.
   */
  prune(scope: RetentionScope): Promise<number>;
  close(): Promise<void>;
}

/** A row of either store. */
export interface VaultRow {
  placeholder: string;
  type: PiiVaultEntry['type'];
  value: string;
}

/** The vault's table, in SQL that SQLite and PostgreSQL both take. */
export const vaultTableSql = `
  CREATE TABLE IF NOT EXISTS pii_vault (
    vault_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    placeholder TEXT NOT NULL,
    type TEXT NOT NULL,
    value TEXT NOT NULL,
    tenant TEXT,
    created_at TEXT,
    PRIMARY KEY (vault_id, seq),
    UNIQUE (vault_id, placeholder)
  );
`;

/** The columns a vault made before retention existed lacks; its values have no age and are kept. */
export const vaultRetentionColumns = ['tenant TEXT', 'created_at TEXT'];

/** The INSERT of one value, with `?` or numbered placeholders. */
export const vaultInsertSql = (placeholder: (index: number) => string): string =>
  `INSERT INTO pii_vault (vault_id, seq, placeholder, type, value, tenant, created_at) VALUES (${[0, 1, 2, 3, 4, 5, 6].map(placeholder).join(', ')})`;

/**
 * The DELETE of a retention pass: every value of each vault in scope whose newest value is older
 * than the cutoff. It returns the vault id of each value removed.
 */
export function vaultPruneSql(
  scope: RetentionScope,
  placeholder: (index: number) => string,
): { sql: string; values: string[] } {
  const condition = scopeCondition(scope, (index) => placeholder(index + 1));
  return {
    // The cutoff's placeholder comes first in the text too: SQLite binds `?` in order.
    sql: `DELETE FROM pii_vault WHERE vault_id IN (
      SELECT vault_id FROM pii_vault GROUP BY vault_id HAVING MAX(created_at) < ${placeholder(0)})
      AND ${condition.sql} RETURNING vault_id`,
    values: [scope.before, ...condition.values],
  };
}
