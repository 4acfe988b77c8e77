/**
 * A circuit breaker per model id: after `failureThreshold` distinct calls in a row have failed, a
 * model is left alone for `cooldownMs`, so that a fallback chain moves on at once instead of
 * spending retries (and the run's deadline) on a provider that is down. Failures are counted by
 * call, not by attempt: one call retrying five times is one call's trouble, and must not open the
 * breaker for every other run. After the cooldown one trial call goes through (half-open); its
 * success closes the breaker, its failure opens it for another cooldown.
 *
 * State lives in this process's memory: each worker learns on its own, and nothing of it is
 * recorded in workflow history. That is deliberate: it is a non-deterministic, best-effort
 * optimization, so it belongs in activities, never in workflow code.
 *
 * The caller decides what counts as a failure. Count what says the provider is unwell (5xx,
 * timeouts, network errors, malformed replies); a rate limit (429) is the provider asking to slow
 * down, and a request it rejects (400) or one too long for the context says nothing about the
 * model's health: neither should open its breaker.
 */

export type BreakerState = 'closed' | 'open' | 'half_open';

export type BreakerDecision = { allowed: true } | { allowed: false; retryInMs: number };

export interface CircuitBreakerOptions {
  /** Distinct calls failing in a row that open the breaker; 1 or more. */
  failureThreshold: number;
  /** How long an open breaker refuses calls before it lets one trial through. */
  cooldownMs: number;
  /**
   * How long a half-open trial may take before another trial is let through: a trial whose
   * result never comes back (its worker died) must not keep the breaker half-open forever.
   * Default: `cooldownMs`.
   */
  trialTimeoutMs?: number | undefined;
  /**
   * While a trial is in flight, how soon the callers turned away may ask again (at most): a trial
   * usually ends within seconds, and a caller waiting for it should not sleep a whole trial
   * timeout. Default 1 s.
   */
  trialPollMs?: number | undefined;
  /** Milliseconds since some epoch; injected by tests. */
  now?: (() => number) | undefined;
}

interface ModelCircuit {
  /** The calls that failed since the last success (while closed or half-open). */
  failingCalls: Set<string>;
  /** While open: the time the cooldown ends. */
  openUntil: number;
  /** While half-open: the time the trial call started, or undefined before one was let through. */
  trialStartedAt: number | undefined;
  state: BreakerState;
}

function checkOption(name: string, value: number, minimum: number, integer: boolean): void {
  if (!Number.isFinite(value) || value < minimum || (integer && !Number.isInteger(value)))
    throw new RangeError(
      `circuit breaker: ${name} must be ${integer ? 'a whole number' : 'a number'} >= ${minimum} (got ${value})`,
    );
}

export class CircuitBreaker {
  private readonly failureThreshold: number;
  private readonly cooldownMs: number;
  private readonly trialTimeoutMs: number;
  private readonly trialPollMs: number;
  private readonly now: () => number;
  private readonly circuits = new Map<string, ModelCircuit>();

  constructor(options: CircuitBreakerOptions) {
    checkOption('failureThreshold', options.failureThreshold, 1, true);
    checkOption('cooldownMs', options.cooldownMs, 0, false);
    if (options.trialTimeoutMs !== undefined) checkOption('trialTimeoutMs', options.trialTimeoutMs, 0, false);
    if (options.trialPollMs !== undefined) checkOption('trialPollMs', options.trialPollMs, 1, false);
    this.failureThreshold = options.failureThreshold;
    this.cooldownMs = options.cooldownMs;
    this.trialTimeoutMs = options.trialTimeoutMs ?? options.cooldownMs;
    this.trialPollMs = options.trialPollMs ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Whether a call to `modelId` may go out now. Closed: yes. Open: no, until the cooldown ends.
   * After the cooldown: yes to exactly one caller (the trial), no to the others until the trial
   * reports back or times out (they are told to ask again within `trialPollMs`). A caller that
   * is allowed must report the outcome.
   */
  allow(modelId: string): BreakerDecision {
    const circuit = this.circuits.get(modelId);
    if (!circuit || circuit.state === 'closed') return { allowed: true };
    const now = this.now();
    if (circuit.state === 'open') {
      if (now < circuit.openUntil) return { allowed: false, retryInMs: circuit.openUntil - now };
      circuit.state = 'half_open';
      circuit.trialStartedAt = undefined;
    }
    // Half-open: one trial at a time.
    if (circuit.trialStartedAt !== undefined) {
      const trialEndsAt = circuit.trialStartedAt + this.trialTimeoutMs;
      if (now < trialEndsAt)
        return { allowed: false, retryInMs: Math.min(trialEndsAt - now, this.trialPollMs) };
    }
    circuit.trialStartedAt = now;
    return { allowed: true };
  }

  recordSuccess(modelId: string): void {
    const circuit = this.circuits.get(modelId);
    if (!circuit) return;
    // A success that arrives while open comes from a call sent before the breaker opened: it
    // does not shorten the cooldown. Only the half-open trial (or normal traffic) closes it.
    if (circuit.state === 'open') return;
    this.circuits.delete(modelId);
  }

  /**
   * A failed attempt of the call `callId` (any id that is the same across the call's retries and
   * differs between calls). Another attempt of a call already counted adds nothing, except as the
   * half-open trial, whose failure opens the breaker again.
   */
  recordFailure(modelId: string, callId: string): void {
    const now = this.now();
    const circuit = this.circuits.get(modelId) ?? {
      failingCalls: new Set<string>(),
      openUntil: 0,
      trialStartedAt: undefined,
      state: 'closed' as BreakerState,
    };
    this.circuits.set(modelId, circuit);
    if (circuit.state === 'open') return; // late failures of calls sent earlier do not extend it
    circuit.failingCalls.add(callId);
    if (circuit.state === 'half_open' || circuit.failingCalls.size >= this.failureThreshold) {
      circuit.state = 'open';
      circuit.openUntil = now + this.cooldownMs;
      circuit.trialStartedAt = undefined;
      circuit.failingCalls.clear();
    }
  }

  /**
   * The state as `allow` would see it: an open breaker whose cooldown is over reads as
   * half-open. Reading it changes nothing.
   */
  state(modelId: string): BreakerState {
    const circuit = this.circuits.get(modelId);
    if (!circuit) return 'closed';
    if (circuit.state === 'open' && this.now() >= circuit.openUntil) return 'half_open';
    return circuit.state;
  }
}
