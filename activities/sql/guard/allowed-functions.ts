import type { SqlDialect } from '../../../common/database.js';

/**
 * Functions a generated query may call, per dialect: an allow-list, so anything new or exotic is
 * refused by default. Left out on purpose: anything that touches files, the network, other
 * sessions, settings or large objects (pg_read_file, lo_import, dblink, set_config,
 * current_setting, pg_terminate_backend, load_extension, readfile, writefile), anything that
 * sleeps or can allocate without bound from a small input (pg_sleep, randomblob, zeroblob,
 * repeat, lpad/rpad, generate_series), and introspection of the server (version,
 * sqlite_version, sqlite_* internals).
 */
const shared = [
  // aggregates
  'count',
  'sum',
  'avg',
  'min',
  'max',
  // window functions
  'row_number',
  'rank',
  'dense_rank',
  'ntile',
  'lag',
  'lead',
  'first_value',
  'last_value',
  'nth_value',
  'percent_rank',
  'cume_dist',
  // conditional
  'coalesce',
  'nullif',
  // math
  'abs',
  'round',
  'ceil',
  'ceiling',
  'floor',
  'sign',
  'sqrt',
  'power',
  'exp',
  'ln',
  'log',
  'log10',
  'mod',
  'pi',
  'trunc',
  'random',
  // strings
  'length',
  'lower',
  'upper',
  'substr',
  'substring',
  'trim',
  'ltrim',
  'rtrim',
  'replace',
  'concat',
  'concat_ws',
  'format',
  'octet_length',
  // SQL value functions that the parser shows as calls
  'current_date',
  'current_time',
  'current_timestamp',
] as const;

const sqliteOnly = [
  'total',
  'group_concat',
  'ifnull',
  'iif',
  'instr',
  'printf',
  'typeof',
  'char',
  'unicode',
  'hex',
  'quote',
  'like',
  'glob',
  'pow',
  'strftime',
  'date',
  'time',
  'datetime',
  'julianday',
  'unixepoch',
] as const;

const postgresOnly = [
  'string_agg',
  'array_agg',
  'bool_and',
  'bool_or',
  'every',
  'stddev',
  'stddev_pop',
  'stddev_samp',
  'variance',
  'var_pop',
  'var_samp',
  'percentile_cont',
  'percentile_disc',
  'mode',
  'greatest',
  'least',
  'strpos',
  'position',
  'char_length',
  'character_length',
  'left',
  'right',
  'split_part',
  'initcap',
  'reverse',
  'to_char',
  'to_date',
  'to_timestamp',
  'to_number',
  'date_trunc',
  'date_part',
  'extract',
  'age',
  'now',
  'make_date',
  'localtime',
  'localtimestamp',
  'div',
] as const;

const allowed: Record<SqlDialect, ReadonlySet<string>> = {
  sqlite: new Set<string>([...shared, ...sqliteOnly]),
  postgres: new Set<string>([...shared, ...postgresOnly]),
};

/** Syntax the parser represents as a call; not a function the database runs. */
const syntaxCalls: ReadonlySet<string> = new Set(['exists', 'any', 'all', 'some']);

export function isSyntaxCall(name: string): boolean {
  return syntaxCalls.has(name);
}

/**
 * `schema` is the lower-cased prefix (`pg_catalog` in `pg_catalog.lower(x)`), or undefined. Only
 * PostgreSQL's own `pg_catalog` prefix is recognised; any other prefix is refused.
 */
export function isAllowedFunction(dialect: SqlDialect, name: string, schema: string | undefined): boolean {
  if (schema !== undefined && !(dialect === 'postgres' && schema === 'pg_catalog')) return false;
  return allowed[dialect].has(name);
}
