import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentResult } from '../../common/agent.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';

const runs = 8;
const perSecond = 2;

/** The most requests that arrived within any one-second window. */
const busiestSecond = (times: number[]): number =>
  Math.max(...times.map((start) => times.filter((time) => time >= start && time < start + 1_000).length));

void describe('per-provider rate limits', () => {
  const testbed = useAgentTestbed({ workerEnv: () => ({ LLMOS_RATE_LIMITS: `openai=${perSecond}` }) });
  const ask = (model: string): Promise<AgentResult> =>
    testbed.temporal.env.client.workflow.execute('reactAgentWorkflow', {
      args: [{ question: 'Say hi.', model, tools: [] }],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `rate-${crypto.randomUUID()}`,
    });

  void it('holds a provider to its requests per second, while another provider runs free', async (t) => {
    testbed.fake.setScript({ rules: [{ reply: { text: 'Hi.' } }] });
    const limited = await Promise.all(Array.from({ length: runs }, () => ask('openai:gpt-4o-mini')));
    assert.ok(limited.every((result) => result.answer === 'Hi.'));
    const times = testbed.fake.requests.map((request) => request.receivedAt).sort((a, b) => a - b);
    const span = times.at(-1)! - times[0]!;
    t.diagnostic(
      `openai at ${perSecond}/s: ${runs} requests over ${span} ms, at most ${busiestSecond(times)} in a second`,
    );
    // The server's limiter lets a burst of up to about one second's worth through, then spaces
    // requests 1/rate apart; dispatch jitter can put one more in a window, or land the first
    // request of the burst some milliseconds late. Unlimited, all 8 arrive within a fraction of
    // a second (below).
    const burst = 2 * perSecond;
    const jitterMs = 250;
    assert.ok(busiestSecond(times) <= burst, `${busiestSecond(times)} requests within one second`);
    assert.ok(span >= ((runs - burst) / perSecond) * 1_000 - jitterMs, `${runs} requests in ${span} ms`);

    testbed.fake.reset();
    testbed.fake.setScript({ rules: [{ reply: { text: 'Hi.' } }] });
    await Promise.all(Array.from({ length: runs }, () => ask('anthropic:claude-haiku-4-5')));
    const free = testbed.fake.requests.map((request) => request.receivedAt).sort((a, b) => a - b);
    t.diagnostic(`anthropic unlimited: ${runs} requests over ${free.at(-1)! - free[0]!} ms`);
    assert.ok(busiestSecond(free) > 2 * perSecond, 'the other provider is not held back');
  });
});
