/**
 * Chunking throughput over the CUAD fixture contracts, with the real o200k token counter: the
 * chunker calls it on every candidate slice, so this measures the cost that matters.
 *
 *   node --import tsx scripts/bench-chunking.ts [--max-tokens 512] [--overlap 64] [--rounds 5]
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { countTokens } from '../activities/prompts/count-tokens.js';
import { chunkText } from '../activities/analysis/chunk-text.js';
import { normalizeText } from '../activities/analysis/normalize-text.js';

const { values } = parseArgs({
  options: {
    'max-tokens': { type: 'string', default: '512' },
    overlap: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '5' },
  },
});
const maxTokens = Number(values['max-tokens']);
const overlapTokens = Number(values.overlap);
const rounds = Number(values.rounds);

const directory = path.join(import.meta.dirname, '..', 'test', 'fixtures', 'cuad', 'txt');
const texts = await Promise.all(
  (await readdir(directory))
    .filter((name) => name.endsWith('.txt'))
    .sort()
    .map(async (name) => ({ name, text: normalizeText(await readFile(path.join(directory, name), 'utf8')) })),
);

// One warm-up round so the tokenizer's and the JIT's start-up cost is not counted.
for (const { text } of texts) chunkText(text, { maxTokens, overlapTokens, countTokens });

let totalKilobytes = 0;
let totalSeconds = 0;
for (const { name, text } of texts) {
  const kilobytes = Buffer.byteLength(text, 'utf8') / 1024;
  let chunks = 0;
  const started = performance.now();
  for (let round = 0; round < rounds; round += 1)
    chunks = chunkText(text, { maxTokens, overlapTokens, countTokens }).length;
  const seconds = (performance.now() - started) / 1000 / rounds;
  totalKilobytes += kilobytes;
  totalSeconds += seconds;
  console.log(
    `${name.slice(0, 48).padEnd(48)} ${kilobytes.toFixed(1).padStart(6)} KB ${String(chunks).padStart(4)} chunks ` +
      `${(seconds * 1000).toFixed(1).padStart(7)} ms ${(kilobytes / seconds).toFixed(0).padStart(6)} KB/s`,
  );
}
console.log(
  `total: ${totalKilobytes.toFixed(1)} KB in ${(totalSeconds * 1000).toFixed(1)} ms per round: ` +
    `${(totalKilobytes / totalSeconds).toFixed(0)} KB/s (maxTokens ${maxTokens}, overlap ${overlapTokens})`,
);
