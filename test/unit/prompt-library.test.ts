import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { countTokens } from '../../activities/prompts/count-tokens.js';
import { loadPromptLibrary } from '../../activities/prompts/prompt-library.js';
import {
  countSystemPromptTokens,
  systemPromptTokenBudget,
} from '../../activities/prompts/system-prompt-size.js';
import { ErrorType } from '../../common/errors.js';

let root: string;
let folderCount = 0;

/** A fresh prompt folder holding `files` (`<id>/<version>.yaml` -> text). */
async function promptFolder(files: Record<string, string>): Promise<string> {
  const directory = path.join(root, `folder-${folderCount++}`);
  await mkdir(directory);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(directory, file)), { recursive: true });
    await writeFile(path.join(directory, file), text);
  }
  return directory;
}

const templateYaml = (id: string, version: string, extra = ''): string =>
  `id: ${id}\nversion: ${version}\ndescription: ${id} ${version}\nsystem: You help with {{topic}}.\ntask: '{{question}}'\n${extra}`;

function loadError(directories: string[]): string {
  try {
    loadPromptLibrary(directories);
  } catch (error) {
    assert.ok(error instanceof Error);
    assert.match(error.message, /^invalid prompt library:\n/);
    return error.message;
  }
  return assert.fail('expected the library to be refused');
}

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'llmos-prompts-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

void describe('loadPromptLibrary', () => {
  void it('loads <id>/<version>.yaml files and lists them by id, then version', async () => {
    const directory = await promptFolder({
      'tutor/v2.yaml': templateYaml('tutor', 'v2'),
      'tutor/v10.yaml': templateYaml('tutor', 'v10'),
      'agent/v1.yaml': templateYaml(
        'agent',
        'v1',
        'constraints:\n  - Be brief.\nexamples:\n  - input: hi\n    output: hello\n',
      ),
      'README.md': 'Notes next to the templates are fine.',
    });
    const library = loadPromptLibrary([directory]);

    assert.deepEqual(
      library.list().map((template) => `${template.id}@${template.version}`),
      ['agent@v1', 'tutor@v2', 'tutor@v10'],
    );
    const agent = library.get({ id: 'agent', version: 'v1' });
    assert.deepEqual(agent, {
      id: 'agent',
      version: 'v1',
      description: 'agent v1',
      system: 'You help with {{topic}}.',
      task: '{{question}}',
      constraints: ['Be brief.'],
      examples: [{ input: 'hi', output: 'hello' }],
    });
    assert.deepEqual(library.warnings, []);
  });

  void it('names the file and the position of YAML that does not parse', async () => {
    const directory = await promptFolder({
      'good/v1.yaml': templateYaml('good', 'v1'),
      'broken/v1.yaml': 'id: broken\nversion: v1\nsystem: "never closed\ntask: x\n',
    });
    const message = loadError([directory]);
    assert.ok(
      message.includes(`${path.join(directory, 'broken', 'v1.yaml')}: not valid YAML at line 5, column 1: `),
      message,
    );
    assert.ok(!message.includes('good'), message);
  });

  void it('names the file and the zod path of a template that fails the schema', async () => {
    const directory = await promptFolder({
      'shape/v1.yaml': templateYaml('shape', 'v1', 'examples:\n  - input: hi\n'),
      'typo/v1.yaml': templateYaml('typo', 'v1', 'constraint:\n  - Be brief.\n'),
      'empty/v1.yaml': '',
    });
    const message = loadError([directory]);
    assert.match(message, /shape[/\\]v1\.yaml: not a valid prompt template: examples\.0\.output: /);
    assert.match(message, /typo[/\\]v1\.yaml: not a valid prompt template: \(top level\): .*"constraint"/);
    assert.match(message, /empty[/\\]v1\.yaml: not a valid prompt template: \(top level\): /);
  });

  void it('refuses an id or a version that disagrees with the path', async () => {
    const directory = await promptFolder({
      'tutor/v1.yaml': templateYaml('teacher', 'v1'),
      'tutor/v2.yaml': templateYaml('tutor', 'v3'),
    });
    const message = loadError([directory]);
    assert.match(message, /tutor[/\\]v1\.yaml: id "teacher" does not match its folder "tutor"/);
    assert.match(message, /tutor[/\\]v2\.yaml: version "v3" does not match its file name "v2\.yaml"/);
  });

  void it('refuses a ref that a later directory defines again, naming both files', async () => {
    const first = await promptFolder({ 'tutor/v1.yaml': templateYaml('tutor', 'v1') });
    const second = await promptFolder({
      'tutor/v1.yaml': templateYaml('tutor', 'v1'),
      'tutor/v2.yaml': templateYaml('tutor', 'v2'),
    });
    const message = loadError([first, second]);
    assert.ok(
      message.includes(
        `${path.join(second, 'tutor', 'v1.yaml')}: tutor@v1 is already defined by ${path.join(first, 'tutor', 'v1.yaml')}`,
      ),
      message,
    );
    assert.ok(!message.includes('v2.yaml'), message);
  });

  void it('refuses a directory that does not exist', () => {
    const missing = path.join(root, 'no-such-folder');
    assert.match(
      loadError([missing]),
      new RegExp(`${missing.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}: cannot read`),
    );
  });

  void it('warns about files it ignores', async () => {
    const directory = await promptFolder({
      'tutor/v1.yaml': templateYaml('tutor', 'v1'),
      'tutor/v2.yml': templateYaml('tutor', 'v2'),
    });
    const library = loadPromptLibrary([directory]);
    assert.equal(library.list().length, 1);
    assert.deepEqual(library.warnings, [
      `${path.join(directory, 'tutor', 'v2.yml')}: ignored; templates are <id>/<version>.yaml files`,
    ]);
  });

  void it('warns, naming the template and its token count, when a system message is over 1,000 tokens', async () => {
    const longRule = Array.from({ length: 120 }, (_, index) => `rule${index}`).join(' ');
    const constraints = Array.from({ length: 10 }, () => `  - ${longRule}\n`).join('');
    const directory = await promptFolder({
      'long/v1.yaml': templateYaml('long', 'v1', `constraints:\n${constraints}`),
      'short/v1.yaml': templateYaml('short', 'v1'),
    });
    const library = loadPromptLibrary([directory]);
    const long = library.get({ id: 'long', version: 'v1' });
    const tokens = countSystemPromptTokens(long);
    assert.ok(tokens > systemPromptTokenBudget, `${tokens} tokens`);
    assert.deepEqual(library.warnings, [
      `long@v1 (${path.join(directory, 'long', 'v1.yaml')}): the system message is ${tokens} tokens, over the budget of 1000; keep system prompts short`,
    ]);
  });
});

void describe('PromptLibrary.get', () => {
  void it('fails an unknown ref with a non-retryable UnknownPrompt naming the versions that exist', async () => {
    const library = loadPromptLibrary([
      await promptFolder({
        'tutor/v1.yaml': templateYaml('tutor', 'v1'),
        'tutor/v2.yaml': templateYaml('tutor', 'v2'),
      }),
    ]);
    const failureOf = (ref: { id: string; version: string }): ApplicationFailure => {
      try {
        library.get(ref);
      } catch (error) {
        assert.ok(error instanceof ApplicationFailure);
        assert.equal(error.type, ErrorType.UnknownPrompt);
        assert.equal(error.nonRetryable, true);
        return error;
      }
      return assert.fail('expected an UnknownPrompt failure');
    };
    assert.equal(
      failureOf({ id: 'tutor', version: 'v3' }).message,
      'unknown prompt tutor@v3; versions of tutor: v1, v2',
    );
    assert.equal(
      failureOf({ id: 'teacher', version: 'v1' }).message,
      'unknown prompt teacher@v1; there is no template with the id "teacher"',
    );
  });
});

void describe('countTokens', () => {
  void it('counts with the o200k_base encoding and takes special-token text as plain text', () => {
    assert.equal(countTokens(''), 0);
    assert.equal(countTokens('hello world'), 2);
    assert.ok(countTokens('a <|endoftext|> b') > 3);
  });
});
