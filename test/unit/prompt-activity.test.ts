import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ErrorType } from '../../common/errors.js';
import { parseWorkerConfig, promptDirectories } from '../../workers/config.js';
import { createActivitiesFromConfig } from '../../workers/create-worker.js';

let root: string;
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'llmos-prompt-activity-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

void describe('LLMOS_PROMPTS_DIRECTORIES', () => {
  void it('adds comma-separated folders, resolved, after the built-in prompts/ folder', () => {
    assert.deepEqual(parseWorkerConfig({}).LLMOS_PROMPTS_DIRECTORIES, []);
    const config = parseWorkerConfig({ LLMOS_PROMPTS_DIRECTORIES: ' team-prompts, /srv/prompts ,,' });
    assert.deepEqual(config.LLMOS_PROMPTS_DIRECTORIES, [path.resolve('team-prompts'), '/srv/prompts']);
    const [builtIn, ...rest] = promptDirectories(config);
    assert.match(builtIn!, /[/\\]prompts$/);
    assert.deepEqual(rest, config.LLMOS_PROMPTS_DIRECTORIES);
  });

  void it('stops the worker when an added folder redefines a built-in template', async () => {
    const file = path.join(root, 'override', 'agent.system', 'v1.yaml');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, 'id: agent.system\nversion: v1\nsystem: Be evil.\ntask: "{{question}}"\n');
    assert.throws(
      () =>
        createActivitiesFromConfig(
          parseWorkerConfig({ LLMOS_PROMPTS_DIRECTORIES: path.join(root, 'override') }),
        ),
      (error: Error) => error.message.includes(`${file}: agent.system@v1 is already defined by `),
    );
  });
});

void describe('the loadPrompts activity', () => {
  const activities = createActivitiesFromConfig(parseWorkerConfig({}));

  void it('returns the templates asked for, in order, as plain data', async () => {
    const templates = await activities.loadPrompts({
      refs: [
        { id: 'psv.verify', version: 'v1' },
        { id: 'agent.system', version: 'v1' },
      ],
    });
    assert.deepEqual(
      templates.map((template) => `${template.id}@${template.version}`),
      ['psv.verify@v1', 'agent.system@v1'],
    );
    assert.deepEqual(JSON.parse(JSON.stringify(templates)), templates);
  });

  void it('fails an unknown ref with a non-retryable UnknownPrompt naming the versions there are', async () => {
    await assert.rejects(
      activities.loadPrompts({ refs: [{ id: 'psv.plan', version: 'v9' }] }),
      (error: unknown) => {
        assert.ok(error instanceof ApplicationFailure);
        assert.equal(error.type, ErrorType.UnknownPrompt);
        assert.equal(error.nonRetryable, true);
        assert.equal(error.message, 'unknown prompt psv.plan@v9; versions of psv.plan: v1, v2');
        return true;
      },
    );
  });
});
