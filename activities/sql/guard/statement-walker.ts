import type { SqlDialect } from '../../../common/database.js';
import { isAllowedFunction, isSyntaxCall } from './allowed-functions.js';
import { allowedNodeTypes, statementTypes } from './node-types.js';
import { refuse } from './refusal.js';
import { recordTableReference, type TablesRead } from './table-references.js';

type AstNode = Record<string, unknown>;

export interface StatementFindings {
  /** Lower-cased name (schema-qualified when written so) to the name as written. */
  tables: TablesRead;
  functions: Set<string>;
}

/**
 * Walks a parsed statement generically: every object and array is visited, so a subquery or call
 * in a corner nobody enumerated is still seen. Nodes with an unknown `type` are refused; SELECT
 * nodes get their WITH, FROM, INTO and locking clauses checked. Throws a GuardRefusal.
 */
export function walkStatement(root: unknown, dialect: SqlDialect): StatementFindings {
  const findings: StatementFindings = { tables: new Map(), functions: new Set() };
  visit(root, new Set(), dialect, findings);
  return findings;
}

function visit(
  node: unknown,
  scope: ReadonlySet<string>,
  dialect: SqlDialect,
  found: StatementFindings,
): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, scope, dialect, found);
    return;
  }
  if (!isNode(node)) return;
  const type = node.type;
  if (typeof type === 'string') {
    if (type === 'select') return visitSelect(node, scope, dialect, found);
    if (!allowedNodeTypes.has(type)) {
      if (statementTypes.has(type.toLowerCase())) refuse(`only SELECT is allowed, got ${type.toUpperCase()}`);
      refuse(`unsupported syntax: ${type}`);
    }
    if (type === 'function' || type === 'aggr_func' || type === 'window_func') {
      checkFunction(node, dialect, found);
    }
  }
  for (const child of Object.values(node)) visit(child, scope, dialect, found);
}

function visitSelect(
  node: AstNode,
  outerScope: ReadonlySet<string>,
  dialect: SqlDialect,
  found: StatementFindings,
): void {
  const into = node.into;
  if (isNode(into) && (into.expr != null || into.position != null)) refuse('SELECT ... INTO is not allowed');
  for (const key of ['for_update', 'locking_read', 'lock']) {
    if (node[key] != null && node[key] !== false)
      refuse('locking clauses (FOR UPDATE/SHARE) are not allowed');
  }
  const scope = visitWith(node.with, outerScope, dialect, found);
  const from = node.from;
  if (Array.isArray(from)) {
    for (const item of from) {
      if (isNode(item)) recordTableReference(item, scope, found.tables);
    }
  }
  for (const [key, child] of Object.entries(node)) {
    if (key !== 'with') visit(child, scope, dialect, found);
  }
}

/**
 * Checks each CTE body and returns the names visible to the main query. Without RECURSIVE a body
 * sees only the CTEs before it, so `WITH t AS (SELECT * FROM t)` reads the real table t.
 */
function visitWith(
  list: unknown,
  outerScope: ReadonlySet<string>,
  dialect: SqlDialect,
  found: StatementFindings,
): ReadonlySet<string> {
  if (list == null) return outerScope;
  const items = (Array.isArray(list) ? list : [list]).filter(isNode);
  const names = items.map((item) => cteName(item.name));
  const recursive = items.some((item) => item.recursive === true);
  items.forEach((item, index) => {
    const visible = recursive ? names : names.slice(0, index);
    visit(item.stmt, new Set([...outerScope, ...visible]), dialect, found);
  });
  return new Set([...outerScope, ...names]);
}

function cteName(name: unknown): string {
  if (typeof name === 'string') return name.toLowerCase();
  if (isNode(name) && typeof name.value === 'string') return name.value.toLowerCase();
  return refuse('unsupported syntax: a CTE without a plain name');
}

function checkFunction(node: AstNode, dialect: SqlDialect, found: StatementFindings): void {
  const parts = functionNameParts(node);
  const base = parts.at(-1) ?? refuse('unsupported syntax: a call without a name');
  const prefix = parts.slice(0, -1);
  if (prefix.length === 0 && isSyntaxCall(base)) return;
  const fullName = parts.join('.');
  found.functions.add(fullName);
  const schema = prefix.length === 0 ? undefined : prefix.join('.');
  if (!isAllowedFunction(dialect, base, schema)) refuse(`function ${fullName} is not allowed in ${dialect}`);
}

/** `count` (aggregates), or `{ name: [{ value }], schema?: { value } }` (other calls), lower-cased. */
function functionNameParts(node: AstNode): string[] {
  const name = node.name;
  if (typeof name === 'string') return [name.toLowerCase()];
  if (!isNode(name)) return [];
  const schema = isNode(name.schema) ? name.schema.value : undefined;
  const written: unknown[] = Array.isArray(name.name) ? name.name : [];
  const parts = written.map((part): unknown => (isNode(part) ? part.value : part));
  return [schema, ...parts]
    .filter((part) => part != null)
    .map((part) =>
      typeof part === 'string' ? part.toLowerCase() : refuse('unsupported syntax: a computed function name'),
    );
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
