import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker, type CircuitBreakerOptions } from '../../activities/llm/circuit-breaker.js';

/** A breaker on a clock the test moves by hand. */
function breakerAt(options: Omit<CircuitBreakerOptions, 'now'>) {
  const clock = { now: 1_000_000 };
  const breaker = new CircuitBreaker({ ...options, now: () => clock.now });
  return {
    breaker,
    advance: (ms: number) => {
      clock.now += ms;
    },
  };
}

/** `times` distinct calls to `model` fail. */
let calls = 0;
const failTimes = (breaker: CircuitBreaker, model: string, times: number) => {
  for (let i = 0; i < times; i += 1) breaker.recordFailure(model, `call-${(calls += 1)}`);
};

void describe('CircuitBreaker', () => {
  void it('stays closed below the threshold and opens at it', () => {
    const { breaker } = breakerAt({ failureThreshold: 3, cooldownMs: 10_000 });
    failTimes(breaker, 'openai:gpt-4o', 2);
    assert.equal(breaker.state('openai:gpt-4o'), 'closed');
    assert.deepEqual(breaker.allow('openai:gpt-4o'), { allowed: true });
    failTimes(breaker, 'openai:gpt-4o', 1);
    assert.equal(breaker.state('openai:gpt-4o'), 'open');
    assert.deepEqual(breaker.allow('openai:gpt-4o'), { allowed: false, retryInMs: 10_000 });
  });

  void it("counts calls, not attempts: one call's retries never open it", () => {
    const { breaker } = breakerAt({ failureThreshold: 2, cooldownMs: 10_000 });
    for (let attempt = 0; attempt < 5; attempt += 1) breaker.recordFailure('m:a', 'run-1/call-1');
    assert.equal(breaker.state('m:a'), 'closed');
    breaker.recordFailure('m:a', 'run-2/call-1');
    assert.equal(breaker.state('m:a'), 'open');
  });

  void it('counts consecutive failures only: a success in between starts the count again', () => {
    const { breaker } = breakerAt({ failureThreshold: 3, cooldownMs: 10_000 });
    failTimes(breaker, 'm:a', 2);
    breaker.recordSuccess('m:a');
    failTimes(breaker, 'm:a', 2);
    assert.equal(breaker.state('m:a'), 'closed');
    failTimes(breaker, 'm:a', 1);
    assert.equal(breaker.state('m:a'), 'open');
  });

  void it('keeps one circuit per model', () => {
    const { breaker } = breakerAt({ failureThreshold: 1, cooldownMs: 10_000 });
    failTimes(breaker, 'openai:gpt-4o', 1);
    assert.equal(breaker.state('openai:gpt-4o'), 'open');
    assert.equal(breaker.state('anthropic:claude-haiku-4-5'), 'closed');
    assert.deepEqual(breaker.allow('anthropic:claude-haiku-4-5'), { allowed: true });
  });

  void it('reports the time left in the cooldown, then lets exactly one trial through', () => {
    const { breaker, advance } = breakerAt({ failureThreshold: 2, cooldownMs: 10_000 });
    failTimes(breaker, 'm:a', 2);
    advance(4_000);
    assert.deepEqual(breaker.allow('m:a'), { allowed: false, retryInMs: 6_000 });
    advance(6_000);
    assert.equal(breaker.state('m:a'), 'half_open');
    assert.deepEqual(breaker.allow('m:a'), { allowed: true });
    // The trial is in flight: everyone else asks again soon (within a second, by default).
    assert.deepEqual(breaker.allow('m:a'), { allowed: false, retryInMs: 1_000 });
    advance(1);
    assert.deepEqual(breaker.allow('m:a'), { allowed: false, retryInMs: 1_000 });
  });

  void it('closes when the trial succeeds', () => {
    const { breaker, advance } = breakerAt({ failureThreshold: 2, cooldownMs: 10_000 });
    failTimes(breaker, 'm:a', 2);
    advance(10_000);
    assert.deepEqual(breaker.allow('m:a'), { allowed: true });
    breaker.recordSuccess('m:a');
    assert.equal(breaker.state('m:a'), 'closed');
    assert.deepEqual(breaker.allow('m:a'), { allowed: true });
    // Closed again means the full threshold again, not one failure.
    failTimes(breaker, 'm:a', 1);
    assert.equal(breaker.state('m:a'), 'closed');
  });

  void it('reopens for a full cooldown when the trial fails, after a single failure', () => {
    const { breaker, advance } = breakerAt({ failureThreshold: 3, cooldownMs: 10_000 });
    failTimes(breaker, 'm:a', 3);
    advance(10_000);
    assert.deepEqual(breaker.allow('m:a'), { allowed: true });
    advance(500);
    breaker.recordFailure('m:a', 'the trial');
    assert.equal(breaker.state('m:a'), 'open');
    assert.deepEqual(breaker.allow('m:a'), { allowed: false, retryInMs: 10_000 });
    advance(10_000);
    assert.deepEqual(breaker.allow('m:a'), { allowed: true });
  });

  void it('lets another trial through when the first never reports back', () => {
    const { breaker, advance } = breakerAt({
      failureThreshold: 1,
      cooldownMs: 10_000,
      trialTimeoutMs: 2_000,
      trialPollMs: 5_000,
    });
    failTimes(breaker, 'm:a', 1);
    advance(10_000);
    assert.deepEqual(breaker.allow('m:a'), { allowed: true });
    advance(1_999);
    assert.deepEqual(breaker.allow('m:a'), { allowed: false, retryInMs: 1 });
    advance(1);
    assert.deepEqual(breaker.allow('m:a'), { allowed: true });
  });

  void it('does not let late results of earlier calls change an open breaker', () => {
    const { breaker, advance } = breakerAt({ failureThreshold: 2, cooldownMs: 10_000 });
    failTimes(breaker, 'm:a', 2);
    advance(3_000);
    breaker.recordSuccess('m:a');
    assert.equal(breaker.state('m:a'), 'open');
    failTimes(breaker, 'm:a', 1);
    assert.deepEqual(breaker.allow('m:a'), { allowed: false, retryInMs: 7_000 });
  });

  void it('reading the state does not use up the trial', () => {
    const { breaker, advance } = breakerAt({ failureThreshold: 1, cooldownMs: 5_000 });
    failTimes(breaker, 'm:a', 1);
    advance(5_000);
    assert.equal(breaker.state('m:a'), 'half_open');
    assert.equal(breaker.state('m:a'), 'half_open');
    assert.deepEqual(breaker.allow('m:a'), { allowed: true });
  });

  void it('refuses options that make no sense, naming them', () => {
    assert.throws(() => new CircuitBreaker({ failureThreshold: 0, cooldownMs: 1 }), /failureThreshold/);
    assert.throws(() => new CircuitBreaker({ failureThreshold: 1.5, cooldownMs: 1 }), /failureThreshold/);
    assert.throws(() => new CircuitBreaker({ failureThreshold: 1, cooldownMs: -1 }), /cooldownMs/);
    assert.throws(
      () => new CircuitBreaker({ failureThreshold: 1, cooldownMs: 1, trialTimeoutMs: Number.NaN }),
      /trialTimeoutMs/,
    );
    assert.throws(
      () => new CircuitBreaker({ failureThreshold: 1, cooldownMs: 1, trialPollMs: 0 }),
      /trialPollMs/,
    );
  });

  void it('uses the real clock by default', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 60_000 });
    failTimes(breaker, 'm:a', 1);
    const decision = breaker.allow('m:a');
    assert.equal(decision.allowed, false);
    assert.ok(!decision.allowed && decision.retryInMs > 59_000 && decision.retryInMs <= 60_000);
  });
});
