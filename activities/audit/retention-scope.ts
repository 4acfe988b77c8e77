import type { AuditRecord } from '../../common/audit.js';

/**
 * Whose records a retention pass empties, and whose vaults it removes: one tenant's, or (no
 * `tenant`) those of no tenant and of every tenant not in `exceptTenants` (the ones with a
 * policy of their own).
 */
export interface RetentionScope {
  tenant?: string;
  exceptTenants?: string[];
  /** ISO time: records written before it go. */
  before: string;
}

/**
 * The SQL condition (on `tenant`) of a scope, and its parameters: `?` placeholders, numbered
 * by `placeholder` for PostgreSQL.
 */
export function scopeCondition(
  scope: RetentionScope,
  placeholder: (index: number) => string,
): { sql: string; values: string[] } {
  if (scope.tenant !== undefined) return { sql: `tenant = ${placeholder(0)}`, values: [scope.tenant] };
  const except = scope.exceptTenants ?? [];
  if (except.length === 0) return { sql: 'TRUE', values: [] };
  return {
    sql: `(tenant IS NULL OR tenant NOT IN (${except.map((_tenant, index) => placeholder(index)).join(', ')}))`,
    values: except,
  };
}

/** Whether a retention pass's scope takes in `record`. */
export function coveredBy(record: AuditRecord, scope: RetentionScope): boolean {
  if (record.at >= scope.before) return false;
  return scope.tenant !== undefined
    ? record.tenant === scope.tenant
    : record.tenant === undefined || !(scope.exceptTenants ?? []).includes(record.tenant);
}
