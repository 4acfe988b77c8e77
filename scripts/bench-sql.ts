/**
 * The NL2SQL job's offline parts, measured over the Chinook gold set (test/fixtures/chinook-gold.jsonl):
 * schema-linking recall and time per question, and the SQL guard's throughput for both dialects.
 * No model, no Temporal: only the introspected SQLite file.
 *
 *   npm run bench:sql -- [--database examples/databases/chinook.sqlite] [--seconds 2] [--repeat 20]
 *
 * recall@k: the share of a question's gold tables among the top k linked tables, averaged over the
 * questions. all@k: the share of questions whose gold tables are all in the top k.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { SqlDialect } from '../common/database.js';
import { measureGuardThroughput } from '../activities/sql/guard-throughput.js';
import { introspectDatabase } from '../activities/sql/open-database.js';
import { closeAllDatabases } from '../activities/sql/open-database.js';
import { linkSchema } from '../activities/sql/schema-linking.js';

interface GoldRow {
  id: string;
  question: string;
  sql: string;
  postgresSql?: string;
  tables: string[];
}

const { values } = parseArgs({
  options: {
    database: {
      type: 'string',
      default: fileURLToPath(new URL('../examples/databases/chinook.sqlite', import.meta.url)),
    },
    gold: {
      type: 'string',
      default: fileURLToPath(new URL('../test/fixtures/chinook-gold.jsonl', import.meta.url)),
    },
    seconds: { type: 'string', default: '2' },
    repeat: { type: 'string', default: '20' },
    verbose: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const repeat = Number(values.repeat);
if (!(seconds > 0) || !Number.isInteger(repeat) || repeat < 1)
  throw new Error('--seconds > 0 and --repeat ≥ 1');

const gold = (await readFile(values.gold, 'utf8'))
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as GoldRow);

// The SQLite runner process is unref'd (a warm one must not hold a worker open): keep this script alive meanwhile.
const keepAlive = setInterval(() => undefined, 1_000);
const introspectStart = performance.now();
const schema = await introspectDatabase(values.database);
const introspectMs = performance.now() - introspectStart;
await closeAllDatabases();
clearInterval(keepAlive);

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
const format = (ms: number): string => `${(ms * 1000).toFixed(0)} µs`;

// --- Schema linking ---------------------------------------------------------------------------
const ks = [1, 3, 5] as const;
const recall = new Map<number, number>(ks.map((k) => [k, 0]));
const complete = new Map<number, number>(ks.map((k) => [k, 0]));
const indexStart = performance.now();
linkSchema('warm up', schema); // builds and caches the two indexes for this schema
const indexMs = performance.now() - indexStart;
const timings: number[] = [];
for (const row of gold) {
  let ranked = linkSchema(row.question, schema);
  for (let run = 0; run < repeat; run += 1) {
    const start = performance.now();
    ranked = linkSchema(row.question, schema);
    timings.push(performance.now() - start);
  }
  const order = ranked.map((entry) => entry.table);
  for (const k of ks) {
    const top = new Set(order.slice(0, k));
    const found = row.tables.filter((table) => top.has(table)).length;
    recall.set(k, recall.get(k)! + found / row.tables.length);
    if (found === row.tables.length) complete.set(k, complete.get(k)! + 1);
  }
  const missing = row.tables.filter((table) => !order.slice(0, 5).includes(table));
  if (values.verbose || missing.length > 0) {
    const miss = missing.length > 0 ? `  MISSING@5 ${missing.join(', ')}` : '';
    console.log(`  ${row.id.padEnd(8)} top5 ${order.slice(0, 5).join(', ')}${miss}`);
  }
}
timings.sort((a, b) => a - b);
const mean = timings.reduce((sum, ms) => sum + ms, 0) / timings.length;

console.log(`\nSchema linking over ${gold.length} Chinook gold questions (${schema.tables.length} tables)`);
console.log(
  `  introspection ${introspectMs.toFixed(0)} ms, index build ${indexMs.toFixed(1)} ms (once per schema)`,
);
for (const k of ks) {
  const share = (recall.get(k)! / gold.length).toFixed(3);
  const all = (complete.get(k)! / gold.length).toFixed(3);
  console.log(`  recall@${k} ${share}   all gold tables in top ${k}: ${all}`);
}
console.log(
  `  per question (${timings.length} calls): mean ${format(mean)}, p50 ${format(percentile(timings, 0.5))}, ` +
    `p95 ${format(percentile(timings, 0.95))}, max ${format(timings.at(-1)!)}`,
);

// --- Guard throughput ---------------------------------------------------------------------------
console.log(`\nSQL guard throughput over the gold SQL (${seconds} s per dialect)`);
for (const dialect of ['sqlite', 'postgres'] as const satisfies readonly SqlDialect[]) {
  const statements = gold.map((row) => (dialect === 'postgres' ? (row.postgresSql ?? row.sql) : row.sql));
  const result = measureGuardThroughput(statements, dialect, seconds);
  console.log(
    `  ${dialect.padEnd(8)} ${result.perSecond.toFixed(0)} statements/s (${result.statements} checks of ${statements.length} statements)`,
  );
}
