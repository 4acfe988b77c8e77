import type { PiiVaultEntry } from '../guards/pii/mask-pii.js';

/** A single-quoted SQL string literal, with `''` for a quote inside it. */
const stringLiteral = /'(?:[^']|'')*'/g;
const placeholder = /<[A-Z]+_\d+>/g;

/**
 * `sql` with the run's placeholders inside string literals put back to their values, quoted for
 * the literal (`'` doubled): the model wrote `WHERE email = '<EMAIL_1>'` having seen only the
 * placeholder, and the database must see the address. Only literals change: a placeholder
 * anywhere else stays as written (the database refuses it), so a value can never become SQL.
 * Pure.
 */
export function restoreSqlLiterals(sql: string, vault: readonly PiiVaultEntry[]): string {
  if (vault.length === 0) return sql;
  const values = new Map(vault.map((entry) => [entry.placeholder, entry.value]));
  return sql.replace(stringLiteral, (literal) =>
    literal.replace(placeholder, (name) => values.get(name)?.replaceAll("'", "''") ?? name),
  );
}
