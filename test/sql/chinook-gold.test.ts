import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { z } from 'zod';
import type { DatabaseSchema } from '../../common/database.js';
import { loadExamples } from '../../activities/sql/few-shot.js';
import { introspectDatabase } from '../../activities/sql/open-database.js';
import { closeAllDatabases } from '../../activities/sql/open-database.js';
import { linkSchema } from '../../activities/sql/schema-linking.js';

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
const chinookFile = here('../../examples/databases/chinook.sqlite');

const GoldRowSchema = z.strictObject({
  id: z.string().regex(/^[a-z]+-\d\d$/),
  question: z.string().min(10),
  sql: z.string().min(10),
  postgresSql: z.string().min(10).optional(),
  tables: z.array(z.string()).min(1),
  ordered: z.boolean(),
});
type GoldRow = z.infer<typeof GoldRowSchema>;

/** Measured 0.977 when the gold set was written (scripts/bench-sql.ts); a drop below this is a regression. */
const minimumRecallAt5 = 0.95;

const normalize = (text: string): string =>
  text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[?.!;]+$/, '')
    .trim();

let gold: GoldRow[] = [];
let schema: DatabaseSchema;

void describe('the Chinook gold question set', () => {
  before(async () => {
    const text = await readFile(here('../fixtures/chinook-gold.jsonl'), 'utf8');
    gold = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, index) => {
        const parsed = GoldRowSchema.safeParse(JSON.parse(line));
        if (!parsed.success) throw new Error(`chinook-gold.jsonl:${index + 1}: ${parsed.error.message}`);
        return parsed.data;
      });
    // The SQLite runner is unref'd so a warm one never holds a worker open; keep this process up meanwhile.
    const keepAlive = setInterval(() => undefined, 1_000);
    try {
      schema = await introspectDatabase(chinookFile);
    } finally {
      clearInterval(keepAlive);
    }
  });
  after(async () => {
    await closeAllDatabases();
  });

  void it('has at least 40 rows with unique ids and questions', () => {
    assert.ok(gold.length >= 40, `${gold.length} rows`);
    assert.equal(new Set(gold.map((row) => row.id)).size, gold.length);
    assert.equal(new Set(gold.map((row) => normalize(row.question))).size, gold.length);
  });

  void it('runs every gold SQL on the SQLite file with at least one row', () => {
    const db = new Database(chinookFile, { readonly: true, fileMustExist: true });
    try {
      for (const row of gold) {
        assert.ok(db.prepare(row.sql).all().length > 0, `${row.id} returned no rows`);
      }
    } finally {
      db.close();
    }
  });

  void it('names only real tables, each read by the SQL, and gives a PostgreSQL form only when needed', () => {
    const names = new Set(schema.tables.map((table) => table.name));
    for (const row of gold) {
      for (const table of row.tables) {
        assert.ok(names.has(table), `${row.id}: no table ${table}`);
        assert.ok(row.sql.includes(`"${table}"`), `${row.id} does not read ${table}`);
      }
      const read = [...row.sql.matchAll(/(?:FROM|JOIN)\s+"(\w+)"/g)].map((match) => match[1]!);
      assert.deepEqual([...new Set(read)].sort(), [...row.tables].sort(), `${row.id}: tables`);
      const sqliteOnly = /\b(strftime|date|julianday)\s*\(/i.test(row.sql);
      assert.equal(row.postgresSql !== undefined, sqliteOnly, `${row.id}: postgresSql`);
      if (row.postgresSql) assert.doesNotMatch(row.postgresSql, /\bstrftime\s*\(/i);
    }
  });

  void it('does not repeat a few-shot example', async () => {
    const examples = await loadExamples(here('../../examples/databases/chinook.examples.jsonl'));
    const questions = new Set(examples.map((example) => normalize(example.question)));
    const statements = new Set(examples.map((example) => normalize(example.sql)));
    for (const row of gold) {
      assert.ok(!questions.has(normalize(row.question)), `${row.id} repeats an example question`);
      assert.ok(!statements.has(normalize(row.sql)), `${row.id} repeats an example's SQL`);
    }
  });

  void it(`links the gold tables: recall@5 at least ${minimumRecallAt5}`, () => {
    let recall = 0;
    for (const row of gold) {
      const top = new Set(linkSchema(row.question, schema, { limit: 5 }).map((ranked) => ranked.table));
      recall += row.tables.filter((table) => top.has(table)).length / row.tables.length;
    }
    recall /= gold.length;
    assert.ok(recall >= minimumRecallAt5, `recall@5 ${recall.toFixed(3)}`);
  });
});
