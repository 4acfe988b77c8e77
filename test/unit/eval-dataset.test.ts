import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadEvalDataset } from '../../client/eval/dataset.js';

const sampleFile = fileURLToPath(new URL('../../examples/datasets/gsm8k-sample.jsonl', import.meta.url));

let dir = '';
let fileCount = 0;
/** Writes the lines to a fresh file and returns its path. */
async function dataset(...lines: string[]): Promise<string> {
  fileCount += 1;
  const file = join(dir, `dataset-${fileCount}.jsonl`);
  await writeFile(file, lines.join('\n'));
  return file;
}
const row = (fields: Record<string, unknown>): string => JSON.stringify(fields);

async function rejectsWith(file: string, message: RegExp): Promise<void> {
  await assert.rejects(loadEvalDataset(file), (error: Error) => {
    assert.match(error.message, message);
    return true;
  });
}

void describe('loadEvalDataset', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eval-dataset-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it('reads GSM8K rows: the expected answer is the number after ####, without thousands separators', async () => {
    const file = await dataset(
      row({ question: 'How much profit?', answer: 'Some reasoning: 200,000-130,000\n#### 70,000' }),
      '',
      row({ question: '  How many eggs?  ', answer: 'He eats 3*7=<<3*7=21>>21\n#### 21' }),
    );
    assert.deepEqual(await loadEvalDataset(file), {
      kind: 'number',
      items: [
        { id: '1', question: 'How much profit?', expected: '70000', kind: 'number' },
        { id: '3', question: 'How many eggs?', expected: '21', kind: 'number' },
      ],
    });
  });

  void it('reads generic rows with their ids, and infers the kind from the expected answers', async () => {
    const numbers = await dataset(
      row({ question: 'What is 6 * 7?', expected: 42, id: 'mult' }),
      row({ question: 'Half of 5?', expected: '2.5', id: 7 }),
    );
    assert.deepEqual(await loadEvalDataset(numbers), {
      kind: 'number',
      items: [
        { id: 'mult', question: 'What is 6 * 7?', expected: '42', kind: 'number' },
        { id: '7', question: 'Half of 5?', expected: '2.5', kind: 'number' },
      ],
    });
    const text = await dataset(
      row({ question: 'Capital of France?', expected: 'Paris' }),
      row({ question: 'How many moons has Mars?', expected: '2' }),
    );
    const loaded = await loadEvalDataset(text);
    assert.equal(loaded.kind, 'text');
    assert.deepEqual(
      loaded.items.map((item) => item.kind),
      ['text', 'text'],
    );
  });

  void it('lets one stated kind decide for every row', async () => {
    const file = await dataset(
      row({ question: 'Year of the moon landing?', expected: '1969' }),
      row({ question: 'Capital of Italy?', expected: 'Rome', kind: 'text' }),
    );
    const loaded = await loadEvalDataset(file);
    assert.equal(loaded.kind, 'text');
    assert.equal(loaded.items[0]?.kind, 'text');
  });

  void it('names the file, the line and the problem of a bad row', async () => {
    const valid = row({ question: 'q', expected: 1 });
    await rejectsWith(await dataset(valid, '', '{"question": "q"'), /dataset-\d+\.jsonl:3: not valid JSON/);
    await rejectsWith(await dataset(valid, '[1, 2]'), /:2: not a JSON object$/);
    await rejectsWith(
      await dataset(valid, row({ question: ' ', expected: 1 })),
      /:2: question: the question is empty/,
    );
    await rejectsWith(await dataset(row({ question: 'q' })), /:1: answer: Invalid input/);
    await rejectsWith(
      await dataset(row({ question: 'q', answer: 'no final line' })),
      /:1: answer: does not end with a "#### <number>" line/,
    );
    await rejectsWith(
      await dataset(row({ question: 'q', answer: '#### many' })),
      /:1: answer: "#### many" is not a number/,
    );
    await rejectsWith(await dataset(valid, row({ question: 'q', expected: 2, kind: 'date' })), /:2: kind: /);
  });

  void it('rejects conflicting kinds, repeated ids and expected answers that are not of the kind', async () => {
    await rejectsWith(
      await dataset(
        row({ question: 'a', expected: 'x', kind: 'text' }),
        row({ question: 'b', expected: 1, kind: 'number' }),
      ),
      /:2: kind "number" differs from kind "text" at line 1/,
    );
    await rejectsWith(
      await dataset(
        row({ question: 'a', answer: '#### 1' }),
        row({ question: 'b', expected: 'x', kind: 'text' }),
      ),
      /:2: kind "text" differs from kind "number" at line 1/,
    );
    await rejectsWith(
      await dataset(
        row({ question: 'a', expected: 1, id: 'x' }),
        row({ question: 'b', expected: 2, id: 'x' }),
      ),
      /:2: id "x" is already used at line 1/,
    );
    await rejectsWith(
      await dataset(row({ question: 'a', expected: 'lots', kind: 'number' })),
      /:1: expected "lots" is not a number answer/,
    );
  });

  void it('rejects an empty dataset, a missing file and an offset past the end', async () => {
    await rejectsWith(await dataset('', '   ', ''), /has no rows/);
    await rejectsWith(join(dir, 'missing.jsonl'), /Cannot read eval dataset .*missing\.jsonl/);
    await assert.rejects(
      loadEvalDataset(sampleFile, { offset: 12 }),
      /has 12 items: offset 12 skips them all/,
    );
    await assert.rejects(
      loadEvalDataset(sampleFile, { limit: 0 }),
      /limit must be a whole number of at least 1/,
    );
    await assert.rejects(loadEvalDataset(sampleFile, { offset: -1 }), /offset must be a whole number/);
  });

  void it('selects items with offset and limit after checking every row', async () => {
    const file = await dataset(
      ...[1, 2, 3, 4, 5].map((value) => row({ question: `q${value}`, expected: value })),
      row({ question: 'broken' }),
    );
    await rejectsWith(file, /:6: /);
    const sample = async (options: { limit?: number; offset?: number }) =>
      (await loadEvalDataset(sampleFile, options)).items.map((item) => item.id);
    assert.deepEqual(await sample({ limit: 2 }), ['1', '2']);
    assert.deepEqual(await sample({ offset: 10 }), ['11', '12']);
    assert.deepEqual(await sample({ offset: 3, limit: 2 }), ['4', '5']);
    assert.deepEqual(await sample({ offset: 11, limit: 5 }), ['12']);
  });

  void it('loads the shipped GSM8K sample: 12 numeric questions', async () => {
    const { items, kind } = await loadEvalDataset(sampleFile);
    assert.equal(kind, 'number');
    assert.equal(items.length, 12);
    assert.deepEqual(
      items.map((item) => item.expected),
      ['18', '3', '70000', '540', '20', '260', '13', '18', '125', '230', '57500', '7'],
    );
    for (const item of items) {
      assert.match(item.expected, /^\d+$/);
      assert.ok(item.question.endsWith('?'), item.question);
    }
    assert.match(items[0]?.question ?? '', /^Janet\u2019s ducks lay 16 eggs per day/);
  });
});
