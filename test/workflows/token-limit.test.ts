import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { AgentResult } from '../../common/agent.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';

const runs = 6;
const replyDelayMs = 1_500;
// Each call asks for 1 000 output tokens (the runs' token cap) plus its prompt, so 3 000 tokens
// per minute hold two calls at a time; the fake reports 12 tokens used, which frees the room again.
const tokensPerMinute = 3_000;

void describe('tokens-per-minute limit', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'llmos-token-limit-'));
  after(() => rmSync(directory, { recursive: true, force: true }));
  const testbed = useAgentTestbed({
    workerEnv: () => ({
      LLMOS_TOKEN_LIMITS: `openai=${tokensPerMinute}`,
      LLMOS_TOKEN_WINDOW_FILE: path.join(directory, 'token-window.sqlite'),
    }),
  });
  const ask = (model: string): Promise<AgentResult> =>
    testbed.temporal.env.client.workflow.execute('reactAgentWorkflow', {
      args: [{ question: 'Say hi.', model, tools: [], caps: { maxTotalTokens: 1_000 } }],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `tpm-${crypto.randomUUID()}`,
    });
  const script = {
    rules: [{ reply: { text: 'Hi.', delayMs: replyDelayMs, usage: { inputTokens: 10, outputTokens: 2 } } }],
  };
  const arrivals = () => testbed.fake.requests.map((request) => request.receivedAt).sort((a, b) => a - b);

  void it('holds a provider to the tokens its calls may use, and lets settled calls free room', async (t) => {
    testbed.fake.setScript(script);
    const started = Date.now();
    const limited = await Promise.all(Array.from({ length: runs }, () => ask('openai:gpt-4o-mini')));
    const wallMs = Date.now() - started;
    assert.ok(limited.every((result) => result.answer === 'Hi.'));
    const times = arrivals();
    assert.equal(times.length, runs);
    // Two calls' estimates fill the window: a third is sent only after one of them has been
    // answered (at least replyDelayMs after it arrived) and settled to what it used.
    const gaps = times.slice(2).map((time, index) => time - times[index]!);
    t.diagnostic(
      `openai at ${tokensPerMinute} tokens/min: arrivals ${times.map((time) => time - times[0]!).join(', ')} ms; ${wallMs} ms in all`,
    );
    assert.ok(
      gaps.every((gap) => gap >= replyDelayMs - 100),
      `gaps between every third arrival: ${gaps.join(', ')} ms`,
    );
    // Settled calls free their room at once: far sooner than the minute the window lasts.
    assert.ok(wallMs < 40_000, `${runs} runs took ${wallMs} ms`);

    testbed.fake.reset();
    testbed.fake.setScript(script);
    await Promise.all(Array.from({ length: runs }, () => ask('anthropic:claude-haiku-4-5')));
    const free = arrivals();
    t.diagnostic(`anthropic unlimited: ${runs} requests over ${free.at(-1)! - free[0]!} ms`);
    assert.ok(free.at(-1)! - free[0]! < replyDelayMs, 'the other provider is not held back');
  });
});
