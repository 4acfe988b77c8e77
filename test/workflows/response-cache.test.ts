import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { AgentRequest, AgentResult } from '../../common/agent.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';

const cacheDirectory = mkdtempSync(path.join(tmpdir(), 'llmos-cache-'));
after(() => rmSync(cacheDirectory, { recursive: true, force: true }));

const turns = [
  {
    toolCalls: [{ name: 'calculator', arguments: { expression: '12 * 7' } }],
    usage: { inputTokens: 1_000, outputTokens: 20 },
  },
  { text: 'It is {{lastToolResult}}.', usage: { inputTokens: 1_100, outputTokens: 10 } },
];

void describe('the response cache', () => {
  const testbed = useAgentTestbed({
    workerEnv: () => ({ LLMOS_CACHE: 'on', LLMOS_CACHE_FILE: path.join(cacheDirectory, 'cache.sqlite') }),
  });
  const run = (request: AgentRequest): Promise<AgentResult> =>
    testbed.temporal.env.client.workflow.execute('reactAgentWorkflow', {
      args: [request],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `cache-${crypto.randomUUID()}`,
    });

  void it('answers a repeated run at temperature 0 without a model call, and records what it saved', async () => {
    testbed.fake.setScript({ turns });
    const request: AgentRequest = {
      question: `What is 12 * 7? (${crypto.randomUUID()})`,
      model: 'openai:gpt-4o-mini',
    };
    const first = await run(request);
    assert.equal(first.answer, 'It is 84.');
    assert.equal(testbed.fake.requests.length, 2);
    assert.equal(first.totals.cacheHits, 0);
    assert.ok(first.totals.costUsd > 0);

    testbed.fake.setScript({ turns });
    const second = await run(request);
    assert.equal(second.answer, 'It is 84.');
    assert.equal(testbed.fake.requests.length, 2, 'the second run made no model call');
    assert.equal(second.totals.cacheHits, 2);
    assert.equal(second.totals.costUsd, 0);
    assert.ok(Math.abs(second.totals.cacheSavedUsd - first.totals.costUsd) < 1e-12);
    assert.equal(
      second.totals.usage.inputTokens,
      first.totals.usage.inputTokens,
      'usage as the cached answers reported it',
    );
    const models = second.trace.flatMap((step) => (step.kind === 'model' ? [step] : []));
    assert.ok(models.every((step) => step.costUsd === 0 && step.cacheHit !== undefined));
  });

  void it('is bypassed by requests sampled above temperature 0', async () => {
    testbed.fake.setScript({ turns: [...turns, ...turns] });
    const request: AgentRequest = {
      question: `What is 12 * 7? (${crypto.randomUUID()})`,
      model: 'openai:gpt-4o-mini',
      temperature: 0.7,
    };
    await run(request);
    const second = await run(request);
    assert.equal(testbed.fake.requests.length, 4, 'both runs reached the model');
    assert.equal(second.totals.cacheHits, 0);
  });
});
