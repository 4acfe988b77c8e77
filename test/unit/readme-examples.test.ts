/**
 * The README's complete examples are the files the tests run: each code block after an
 * `<!-- example: <path> -->` line must be that file, whole, so the README never shows code that
 * has drifted from what `test/e2e/own-worker-example.test.ts` builds and runs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../client/project-paths.js';

const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/<!-- example: (\S+) -->\s*```\w*\n([\s\S]*?)\n```/g)].map(
  ([, file, code]) => ({ file: file!, code: code! }),
);

void describe('README examples', () => {
  void it('has the complete examples of "Use llmos from your code" and "Tools and MCP servers"', () => {
    assert.deepEqual(
      examples.map((example) => example.file),
      [
        'examples/own-worker/src/workflows.ts',
        'examples/own-worker/src/worker.ts',
        'examples/own-worker/src/start.ts',
        'examples/own-worker/llmos.config.ts',
      ],
    );
  });
  for (const { file, code } of examples)
    void it(`shows ${file} as it is`, () => {
      assert.equal(code, readFileSync(path.join(projectRoot, file), 'utf8').trimEnd());
    });
});
