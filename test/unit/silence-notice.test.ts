/**
 * `llmos agent` shows a sign of life while a run shows nothing new: a hung model call can take
 * its whole attempt timeout (120 s by default) without a step.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentProgress } from '../../common/agent.js';
import { RunCapsSchema } from '../../common/run-contract.js';
import { emptyTotals } from '../../common/run-totals.js';
import { SilenceNotice } from '../../client/follow-agent.js';

const progress = (stepCount: number, overrides: Partial<AgentProgress> = {}): AgentProgress => ({
  status: 'running',
  model: 'openai:gpt-4o-mini',
  iteration: 2,
  caps: RunCapsSchema.parse({}),
  totals: emptyTotals,
  elapsedMs: 0,
  stepCount,
  steps: [],
  ...overrides,
});

void describe('the follower’s sign of life', () => {
  void it('says what the run waits on after 15 s without a new step, and every 15 s after', () => {
    let now = 0;
    const lines: string[] = [];
    const notice = new SilenceNotice(
      (line) => lines.push(line),
      () => now,
    );
    for (const [at, steps] of [
      [0, 2],
      [5_000, 2],
      [14_000, 2],
      [15_500, 2],
      [20_000, 2],
      [31_000, 2],
    ] as const) {
      now = at;
      notice.observe(progress(steps));
    }
    assert.deepEqual(lines, [
      '… still on iteration 2 (openai:gpt-4o-mini): nothing new for 16 s',
      '… still on iteration 2 (openai:gpt-4o-mini): nothing new for 31 s',
    ]);
    // A new step starts the count again; a call waiting for a person is not silence.
    now = 40_000;
    notice.observe(progress(3));
    now = 60_000;
    notice.observe(progress(3, { awaitingApproval: [{} as never] }));
    assert.equal(lines.length, 2);
  });
});
