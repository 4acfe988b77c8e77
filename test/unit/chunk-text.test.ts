import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { countTokens } from '../../activities/prompts/count-tokens.js';
import { chunkText, type TextChunk } from '../../activities/analysis/chunk-text.js';
import { normalizeText } from '../../activities/analysis/normalize-text.js';

const contractsDirectory = path.join(import.meta.dirname, '..', 'fixtures', 'cuad', 'txt');
const contracts = readdirSync(contractsDirectory)
  .sort()
  .map((name) => ({ name, text: normalizeText(readFileSync(path.join(contractsDirectory, name), 'utf8')) }));

/** The invariants every chunking must keep, whatever the text. */
function assertChunkInvariants(
  source: string,
  chunks: readonly TextChunk[],
  maxTokens: number,
  overlapTokens: number,
): void {
  assert.ok(chunks.length > 0);
  assert.equal(chunks[0]?.start, 0, 'the first chunk starts at the beginning');
  assert.equal(chunks.at(-1)?.end, source.length, 'the last chunk reaches the end');
  chunks.forEach((chunk, index) => {
    assert.equal(chunk.index, index);
    assert.ok(chunk.end > chunk.start, `chunk ${index} is not empty`);
    assert.equal(chunk.text, source.slice(chunk.start, chunk.end), `chunk ${index} is the slice`);
    assert.ok(countTokens(chunk.text) <= maxTokens, `chunk ${index} has ${countTokens(chunk.text)} tokens`);
    const previous = chunks[index - 1];
    if (!previous) return;
    // Starts and ends move forward, and no gap is left between chunks: every character is covered.
    assert.ok(chunk.start > previous.start && chunk.end > previous.end, `chunk ${index} moves forward`);
    assert.ok(chunk.start <= previous.end, `no gap before chunk ${index}`);
    const overlap = countTokens(source.slice(chunk.start, previous.end));
    assert.ok(overlap <= overlapTokens, `overlap ${overlap} before chunk ${index} exceeds ${overlapTokens}`);
  });
}

function overlapsOf(source: string, chunks: readonly TextChunk[]): number[] {
  return chunks.slice(1).map((chunk, index) => countTokens(source.slice(chunk.start, chunks[index]?.end)));
}

void describe('chunkText on the CUAD contracts', () => {
  for (const { name, text } of contracts) {
    void it(`keeps every invariant on ${name.slice(0, 40)}`, () => {
      for (const [maxTokens, overlapTokens] of [
        [512, 64],
        [200, 40],
        [1_000, 0],
      ] as const) {
        const chunks = chunkText(text, { maxTokens, overlapTokens, countTokens });
        assertChunkInvariants(text, chunks, maxTokens, overlapTokens);
        if (overlapTokens > 0) {
          // Snapped to boundaries, the overlap stays near the configured size: never above it,
          // and (contracts having words everywhere) never much below a quarter of it.
          for (const overlap of overlapsOf(text, chunks))
            assert.ok(overlap >= overlapTokens / 4, `overlap ${overlap}`);
        }
        // Chunks are not needlessly small: on average they use most of the budget.
        if (chunks.length > 2) {
          const mean = chunks.reduce((sum, chunk) => sum + countTokens(chunk.text), 0) / chunks.length;
          assert.ok(mean >= maxTokens * 0.6, `mean chunk of ${mean.toFixed(0)} tokens`);
        }
      }
    });
  }
});

void describe('chunkText boundaries', () => {
  const clause = (number: number): string =>
    `${number}. Clause ${number} heading\n\n` +
    Array.from(
      { length: 6 },
      (_, sentence) => `Sentence ${sentence} of clause ${number} says something binding.`,
    ).join(' ') +
    '\n\n';
  const contract = Array.from({ length: 12 }, (_, index) => clause(index + 1)).join('');

  void it('starts chunks at numbered clauses when one is within reach', () => {
    const chunks = chunkText(contract, { maxTokens: 120, overlapTokens: 0, countTokens });
    assertChunkInvariants(contract, chunks, 120, 0);
    for (const chunk of chunks)
      assert.match(chunk.text, /^\d+\. Clause/, JSON.stringify(chunk.text.slice(0, 30)));
  });

  void it('starts an overlapping chunk at a clause inside the overlap window', () => {
    const overlapTokens = 60;
    const chunks = chunkText(contract, { maxTokens: 100, overlapTokens, countTokens });
    assertChunkInvariants(contract, chunks, 100, overlapTokens);
    const clauseStarts = Array.from(contract.matchAll(/^\d+\. Clause/gm), (match) => match.index);
    let checked = 0;
    chunks.slice(1).forEach((chunk, index) => {
      const previous = chunks[index]!;
      // A clause start that would keep between a quarter and all of the overlap is within reach.
      const reachable = clauseStarts.some((position) => {
        if (position <= previous.start || position >= previous.end) return false;
        const overlap = countTokens(contract.slice(position, previous.end));
        return overlap > overlapTokens / 4 + 2 && overlap < overlapTokens - 2;
      });
      if (!reachable) return;
      checked += 1;
      assert.ok(clauseStarts.includes(chunk.start), JSON.stringify(chunk.text.slice(0, 40)));
    });
    assert.ok(checked >= 5, `${checked} chunks had a clause within reach`);
  });

  void it('recognizes headings, sections, articles and lettered items', () => {
    const filler = 'Words that fill the section up to a reasonable length for chunking here. '.repeat(5);
    for (const marker of [
      '# Heading',
      '## 2.1 Sub',
      'Section 5 Term',
      'ARTICLE IV Payment',
      '(a) the first',
      '12.3 Notices',
    ]) {
      const text = `${filler}${filler}\n${marker} ${filler}`;
      const chunks = chunkText(text, { maxTokens: countTokens(text) - 5, overlapTokens: 0, countTokens });
      assert.equal(chunks.length, 2, marker);
      assert.ok(
        chunks[1]?.text.startsWith(marker),
        `${marker}: ${JSON.stringify(chunks[1]?.text.slice(0, 20))}`,
      );
    }
  });

  void it('falls back to sentences, then words, then characters', () => {
    const sentences = 'The first sentence ends here. The second one too. And a third one follows it. '.repeat(
      20,
    );
    for (const chunk of chunkText(sentences, { maxTokens: 40, overlapTokens: 0, countTokens }).slice(1)) {
      assert.match(chunk.text, /^(The|And) /);
    }
    const words = 'alpha beta gamma delta epsilon '.repeat(60);
    const wordChunks = chunkText(words, { maxTokens: 25, overlapTokens: 5, countTokens });
    assertChunkInvariants(words, wordChunks, 25, 5);
    for (const chunk of wordChunks.slice(1)) assert.match(chunk.text, /^[a-z]/);
    const unbroken = 'x'.repeat(5_000) + '😀'.repeat(300);
    const pieces = chunkText(unbroken, { maxTokens: 50, overlapTokens: 10, countTokens });
    assertChunkInvariants(unbroken, pieces, 50, 10);
    for (const piece of pieces) {
      assert.doesNotMatch(
        piece.text,
        /^[\udc00-\udfff]|[\ud800-\udbff]$/,
        'no chunk splits a surrogate pair',
      );
    }
  });

  void it('handles tiny and empty texts and rejects bad options', () => {
    assert.deepEqual(chunkText('', { maxTokens: 10, overlapTokens: 2, countTokens }), []);
    assert.deepEqual(chunkText('Hello.', { maxTokens: 10, overlapTokens: 2, countTokens }), [
      { index: 0, start: 0, end: 6, text: 'Hello.' },
    ]);
    assert.throws(() => chunkText('x', { maxTokens: 0, overlapTokens: 0, countTokens }), /maxTokens/);
    assert.throws(() => chunkText('x', { maxTokens: 10, overlapTokens: 10, countTokens }), /overlapTokens/);
  });

  void it('chunks a 60 KB contract quickly', () => {
    const longest = contracts.reduce((best, contract) =>
      contract.text.length > best.text.length ? contract : best,
    );
    const text = longest.text + '\n\n' + longest.text.slice(0, 60_000 - longest.text.length);
    const started = performance.now();
    const chunks = chunkText(text, { maxTokens: 512, overlapTokens: 64, countTokens });
    const elapsed = performance.now() - started;
    assertChunkInvariants(text, chunks, 512, 64);
    assert.ok(elapsed < 3_000, `${elapsed.toFixed(0)} ms for ${text.length} characters`);
  });
});
