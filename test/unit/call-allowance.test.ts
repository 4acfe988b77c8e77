import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatRequest } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import { fitToAllowance, inputTokensBound } from '../../activities/llm/fit-to-allowance.js';
import { estimateRequestTokens } from '../../activities/llm/estimate-request-tokens.js';
import { CapsMeter } from '../../workflows/lib/caps-meter.js';
import { emptyTotals } from '../../common/run-totals.js';

const request: ChatRequest = {
  messages: [
    { role: 'system', content: 'Extract the parties of the agreement.' },
    { role: 'user', content: 'This Agreement is made between Acme Corp. and Globex LLC. '.repeat(40) },
  ],
  tools: [],
  maxOutputTokens: 4_096,
};
const price = { inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 };
const plenty = { totalTokens: 1_000_000, costUsd: 100, minOutputTokens: 1_024 };

void describe('fitToAllowance', () => {
  void it('holds the input to the larger of its o200k count and a token per three characters', () => {
    const characters = request.messages.reduce((sum, message) => sum + message.content.length, 0);
    const bound = inputTokensBound(request);
    assert.ok(bound >= estimateRequestTokens(request).inputTokens);
    assert.ok(bound >= Math.ceil(characters / 3), `${bound} < ${characters / 3}`);
  });

  void it('sends a request that fits as it is', () => {
    assert.equal(fitToAllowance('openai:gpt-4o-mini', request, plenty, price), request);
  });

  void it('lowers the output allowance to what the tokens leave', () => {
    const input = inputTokensBound(request);
    const fitted = fitToAllowance(
      'openai:gpt-4o-mini',
      request,
      { ...plenty, totalTokens: input + 2_000 },
      price,
    );
    assert.equal(fitted.maxOutputTokens, 2_000);
  });

  void it('lowers it to what the dollars leave, at the worst case of the price', () => {
    const input = inputTokensBound(request);
    const costUsd = (input * 0.15 + 1_500 * 0.6) / 1e6;
    const fitted = fitToAllowance('openai:gpt-4o-mini', request, { ...plenty, costUsd }, price);
    assert.ok(Math.abs((fitted.maxOutputTokens ?? 0) - 1_500) <= 1, String(fitted.maxOutputTokens));
  });

  void it('refuses a call whose input and least output do not fit, saying what it needs', () => {
    const input = inputTokensBound(request);
    assert.throws(
      () => fitToAllowance('openai:gpt-4o-mini', request, { ...plenty, totalTokens: input + 1_000 }, price),
      (error: unknown) => {
        assert.ok(error instanceof ApplicationFailure);
        assert.equal(error.type, ErrorType.ModelCallOverCaps);
        assert.equal(error.nonRetryable, true);
        assert.match(
          error.message,
          new RegExp(`needs up to ${input} input tokens and at least 1024 of output`),
        );
        const need = error.details?.[0] as { totalTokens: number; costUsd: number };
        assert.equal(need.totalTokens, input + 1_024);
        assert.ok(need.costUsd > 0);
        return true;
      },
    );
  });

  void it('asks no more than the request does: a short answer needs only its own allowance', () => {
    const short = { ...request, maxOutputTokens: 100 };
    const input = inputTokensBound(short);
    const fitted = fitToAllowance('scripted:demo', short, { ...plenty, totalTokens: input + 100 }, undefined);
    assert.equal(fitted, short);
  });
});

void describe('CapsMeter grants', () => {
  const caps = { maxIterations: 100, maxTotalTokens: 10_000, maxCostUsd: 1, maxWallTimeMs: 60_000 };

  void it('grants each call a share of what is neither used nor granted, and takes it back', () => {
    const meter = new CapsMeter(caps, Date.now(), { ...emptyTotals, totalTokens: 2_000 });
    const first = meter.grant(4, 1_024);
    assert.equal(first.totalTokens, 2_000);
    const second = meter.grant(4, 1_024);
    assert.equal(second.totalTokens, 1_500);
    assert.equal(meter.callsInFlight, 2);
    assert.deepEqual(meter.left(), { totalTokens: 4_500, costUsd: 1 - first.costUsd - second.costUsd });
    meter.release(first);
    meter.release(second);
    assert.equal(meter.callsInFlight, 0);
    assert.equal(meter.left().totalTokens, 8_000);
  });

  void it('grants a call no less than it needs when that much is left', () => {
    const meter = new CapsMeter(caps, Date.now());
    const grant = meter.grant(8, 1_024, { totalTokens: 4_000, costUsd: 0 });
    assert.equal(grant.totalTokens, 4_000);
    assert.ok(meter.covers({ totalTokens: 6_000, costUsd: 0 }));
    assert.ok(!meter.covers({ totalTokens: 6_001, costUsd: 0 }));
  });

  void it('stops every later call once no call fits, until a raise', () => {
    const meter = new CapsMeter(caps, Date.now());
    const stop = { stopReason: 'budget_exhausted' as const, detail: 'no call fits' };
    meter.stopWith(stop);
    assert.deepEqual(meter.exhausted(), stop);
    meter.raise({ maxTotalTokens: 20_000 });
    assert.equal(meter.exhausted(), undefined);
  });
});
