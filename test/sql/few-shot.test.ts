import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { loadExamples, selectExamples, type SqlExample } from '../../activities/sql/few-shot.js';

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

let dir = '';
let fileCount = 0;
/** Writes the lines to a fresh file and returns its path. */
async function examplesFile(...lines: string[]): Promise<string> {
  fileCount += 1;
  const file = join(dir, `examples-${fileCount}.jsonl`);
  await writeFile(file, lines.join('\n'));
  return file;
}

const examples: SqlExample[] = [
  { question: 'How many artists are there?', sql: 'SELECT COUNT(*) FROM "Artist"' },
  { question: 'List the albums of an artist.', sql: 'SELECT "Title" FROM "Album"' },
  { question: 'What is the total of all invoices?', sql: 'SELECT SUM("Total") FROM "Invoice"' },
  { question: 'Which customers live in Canada?', sql: 'SELECT * FROM "Customer"' },
  { question: 'Which customers live in France?', sql: 'SELECT * FROM "Customer" WHERE 1' },
];

void describe('loadExamples', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'few-shot-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it('reads question/SQL rows, trimmed, skipping blank lines', async () => {
    const file = await examplesFile(
      JSON.stringify({ question: ' How many? ', sql: 'SELECT 1 ' }),
      '',
      '   ',
      JSON.stringify({ question: 'And two?', sql: 'SELECT 2' }),
      '',
    );
    assert.deepEqual(await loadExamples(file), [
      { question: 'How many?', sql: 'SELECT 1' },
      { question: 'And two?', sql: 'SELECT 2' },
    ]);
  });

  void it('names the file and line of a row that is not JSON or misses a field', async () => {
    const notJson = await examplesFile(JSON.stringify({ question: 'q', sql: 's' }), '{ "question": ');
    await assert.rejects(loadExamples(notJson), new RegExp(`${notJson.replaceAll('.', '\\.')}:2: not JSON`));
    const missing = await examplesFile('', '', JSON.stringify({ question: 'q' }));
    await assert.rejects(loadExamples(missing), new RegExp(`${missing.replaceAll('.', '\\.')}:3: sql: `));
    const empty = await examplesFile(JSON.stringify({ question: '  ', sql: 'SELECT 1' }));
    await assert.rejects(loadExamples(empty), /:1: question: /);
  });

  for (const [name, database, low, high] of [
    ['chinook', 'chinook.sqlite', 12, 15],
    ['northwind', 'northwind.sqlite', 8, 10],
  ] as const) {
    void it(`ships ${low}-${high} ${name} examples with distinct questions that run on the database`, async () => {
      const loaded = await loadExamples(here(`../../examples/databases/${name}.examples.jsonl`));
      assert.ok(loaded.length >= low && loaded.length <= high, `${loaded.length} examples`);
      assert.equal(new Set(loaded.map((example) => example.question.toLowerCase())).size, loaded.length);
      const db = new Database(here(`../../examples/databases/${database}`), {
        readonly: true,
        fileMustExist: true,
      });
      try {
        for (const example of loaded) {
          assert.ok(db.prepare(example.sql).all().length > 0, `no rows: ${example.question}`);
        }
      } finally {
        db.close();
      }
    });
  }
});

void describe('selectExamples', () => {
  void it('picks the most similar questions first, plurals included', () => {
    const [first] = selectExamples('Which artist has the most albums?', examples, 1);
    assert.equal(first, examples[1]);
    assert.deepEqual(selectExamples('invoice totals', examples, 1), [examples[2]]);
  });

  void it('breaks ties by file order and fills up with the first examples', () => {
    assert.deepEqual(selectExamples('customers who live in Germany', examples, 3), [
      examples[3],
      examples[4],
      examples[0],
    ]);
    assert.deepEqual(selectExamples('the of and', examples, 2), [examples[0], examples[1]]);
  });

  void it('returns at most k and at most all examples, and is deterministic', () => {
    assert.equal(selectExamples('artists', examples, 0).length, 0);
    assert.equal(selectExamples('artists', examples, 99).length, examples.length);
    assert.deepEqual(
      selectExamples('artists in Canada', examples, 3),
      selectExamples('artists in Canada', examples, 3),
    );
    assert.deepEqual(selectExamples('anything', [], 3), []);
  });
});
