import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultTaskQueue } from '../../common/task-queues.js';
import { builtInToolNames } from '../../common/tool-names.js';
import { parseWorkerConfig } from '../../workers/config.js';
import { createActivitiesFromConfig, workerTuning } from '../../workers/create-worker.js';

void describe('parseWorkerConfig', () => {
  void it('fills in defaults for an empty environment', () => {
    const config = parseWorkerConfig({});
    assert.equal(config.temporal.address, 'localhost:7233');
    assert.equal(config.temporal.namespace, 'default');
    assert.equal(config.temporal.tls, undefined, 'plain TCP unless something asks for TLS');
    assert.equal(config.LLMOS_TASK_QUEUE, defaultTaskQueue);
    assert.equal(config.OPENAI_API_KEY, undefined);
    assert.equal(config.OPENAI_BASE_URL, undefined);
    assert.equal(config.ANTHROPIC_API_KEY, undefined);
    assert.equal(config.LLMOS_COMPATIBLE_BASE_URL, undefined);
    assert.equal(config.LLMOS_MODEL_TIMEOUT_MS, 120_000);
    assert.deepEqual(config.LLMOS_HTTP_ALLOWED_HOSTS, []);
    assert.equal(config.LLMOS_MAX_CONCURRENT_ACTIVITIES, 50);
    assert.match(config.LLMOS_SCRIPTS_DIRECTORY, /examples[/\\]scripted$/);
  });

  void it('reads and trims given values, and coerces numbers', () => {
    const config = parseWorkerConfig({
      TEMPORAL_ADDRESS: 'temporal:7233',
      OPENAI_API_KEY: '  sk-test  ',
      OPENAI_BASE_URL: 'http://127.0.0.1:9999/v1',
      LLMOS_MODEL_TIMEOUT_MS: '5000',
      LLMOS_MAX_CONCURRENT_ACTIVITIES: '4',
    });
    assert.equal(config.temporal.address, 'temporal:7233');
    assert.equal(config.OPENAI_API_KEY, 'sk-test');
    assert.equal(config.OPENAI_BASE_URL, 'http://127.0.0.1:9999/v1');
    assert.equal(config.LLMOS_MODEL_TIMEOUT_MS, 5_000);
    assert.equal(config.LLMOS_MAX_CONCURRENT_ACTIVITIES, 4);
  });

  void it('treats blank optional values as unset', () => {
    const config = parseWorkerConfig({
      OPENAI_API_KEY: '   ',
      ANTHROPIC_BASE_URL: '',
      LLMOS_COMPATIBLE_BASE_URL: ' ',
    });
    assert.equal(config.OPENAI_API_KEY, undefined);
    assert.equal(config.ANTHROPIC_BASE_URL, undefined);
    assert.equal(config.LLMOS_COMPATIBLE_BASE_URL, undefined);
  });

  void it('names the variable that holds a bad URL', () => {
    assert.throws(
      () => parseWorkerConfig({ OPENAI_BASE_URL: 'not a url' }),
      (error: Error) => {
        assert.match(error.message, /^invalid worker configuration:/);
        assert.match(error.message, /OPENAI_BASE_URL/);
        assert.doesNotMatch(error.message, /ANTHROPIC_BASE_URL/);
        return true;
      },
    );
    assert.throws(
      () => parseWorkerConfig({ LLMOS_COMPATIBLE_BASE_URL: 'localhost 11434' }),
      /LLMOS_COMPATIBLE_BASE_URL/,
    );
  });

  void it('gives the worker its tuning: task slots, sticky cache and pollers', () => {
    assert.deepEqual(workerTuning(parseWorkerConfig({})), {
      maxConcurrentActivityTaskExecutions: 50,
      maxConcurrentWorkflowTaskExecutions: 40,
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 10 },
      activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 10 },
    });
    const tuned = workerTuning(
      parseWorkerConfig({
        LLMOS_MAX_CONCURRENT_WORKFLOW_TASKS: '8',
        LLMOS_MAX_CACHED_WORKFLOWS: '300',
        LLMOS_WORKFLOW_TASK_POLLERS: '2',
        LLMOS_ACTIVITY_TASK_POLLERS: '4',
      }),
    );
    assert.equal(tuned.maxConcurrentWorkflowTaskExecutions, 8);
    assert.equal(tuned.maxCachedWorkflows, 300);
    assert.deepEqual(tuned.workflowTaskPollerBehavior, { type: 'simple-maximum', maximum: 2 });
    assert.deepEqual(tuned.activityTaskPollerBehavior, { type: 'simple-maximum', maximum: 4 });
    // The SDK needs two workflow-task slots at the least while its cache is on.
    assert.throws(
      () => parseWorkerConfig({ LLMOS_MAX_CONCURRENT_WORKFLOW_TASKS: '1' }),
      /LLMOS_MAX_CONCURRENT_WORKFLOW_TASKS/,
    );
  });

  void it('names a bad number', () => {
    assert.throws(() => parseWorkerConfig({ LLMOS_MODEL_TIMEOUT_MS: 'soon' }), /LLMOS_MODEL_TIMEOUT_MS/);
    assert.throws(
      () => parseWorkerConfig({ LLMOS_MAX_CONCURRENT_ACTIVITIES: '0' }),
      /LLMOS_MAX_CONCURRENT_ACTIVITIES/,
    );
  });

  void it('splits the allowed hosts on commas, trimming and dropping empty entries', () => {
    const config = parseWorkerConfig({
      LLMOS_HTTP_ALLOWED_HOSTS: ' api.example.com, 127.0.0.1:8080 ,,docs.example.org,',
    });
    assert.deepEqual(config.LLMOS_HTTP_ALLOWED_HOSTS, [
      'api.example.com',
      '127.0.0.1:8080',
      'docs.example.org',
    ]);
    assert.deepEqual(parseWorkerConfig({ LLMOS_HTTP_ALLOWED_HOSTS: '' }).LLMOS_HTTP_ALLOWED_HOSTS, []);
  });
});

void describe('the worker built from a configuration', () => {
  void it('offers every built-in tool the CLI lets users name', async () => {
    const activities = createActivitiesFromConfig(parseWorkerConfig({}));
    const { specs } = await activities.describeTools({ names: [...builtInToolNames] });
    assert.deepEqual(
      specs.map((spec) => spec.name),
      [...builtInToolNames],
    );
  });
});
