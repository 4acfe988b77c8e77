import pg from 'pg';

/**
 * How PostgreSQL values become JSON. pg returns bigint and numeric as strings (they may not fit
 * a double); we keep that for values that would lose precision and turn the rest into numbers, so
 * results compare equal to SQLite's (`0.99`, `3503`). Dates, times, intervals and JSON stay in
 * PostgreSQL's own text form rather than becoming Date objects or parsed trees.
 */
const Oid = {
  int8: 20,
  numeric: 1700,
  json: 114,
  jsonb: 3802,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  timetz: 1266,
} as const;

const keepText = new Set<number>([
  Oid.json,
  Oid.jsonb,
  Oid.date,
  Oid.time,
  Oid.timestamp,
  Oid.timestamptz,
  Oid.interval,
  Oid.timetz,
]);

function parseInt8(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}

/** A numeric with at most 15 significant digits survives a double round trip exactly. */
function parseNumeric(text: string): number | string {
  const digits = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '');
  return digits.length <= 15 && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

/** Type parsers for a pg Pool (`types` option). */
export const postgresTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === Oid.int8) return parseInt8;
    if (oid === Oid.numeric) return parseNumeric;
    if (keepText.has(oid)) return (text: string) => text;
    return pg.types.getTypeParser(oid, format ?? 'text') as (text: string) => unknown;
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** One value as JSON: blobs as `<blob N bytes>`, arrays and other objects as JSON text. */
export function toJsonValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return `<blob ${value.length} bytes>`;
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}
