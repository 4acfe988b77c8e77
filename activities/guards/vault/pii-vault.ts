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
  ): Promise<T>;
  /** The run's entries, oldest first: what restores an answer for the user. */
  entries(vaultId: string): Promise<PiiVaultEntry[]>;
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
    PRIMARY KEY (vault_id, seq),
    UNIQUE (vault_id, placeholder)
  );
`;
