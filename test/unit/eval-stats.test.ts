import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accuracy, mean, percentile, summarizeLatencies, wilsonInterval } from '../../client/eval/stats.js';

void describe('percentile', () => {
  void it('is the nearest-rank value: always one of the values', () => {
    const values = [15, 20, 35, 40, 50];
    assert.equal(percentile(values, 0), 15);
    assert.equal(percentile(values, 5), 15);
    assert.equal(percentile(values, 30), 20);
    assert.equal(percentile(values, 40), 20);
    assert.equal(percentile(values, 50), 35);
    assert.equal(percentile(values, 100), 50);
  });

  void it('sorts a copy, leaving the input alone', () => {
    const values = [3, 1, 2];
    assert.equal(percentile(values, 50), 2);
    assert.deepEqual(values, [3, 1, 2]);
  });

  void it('gives the slowest of ten for p95 and p99', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.equal(percentile(values, 90), 9);
    assert.equal(percentile(values, 95), 10);
    assert.equal(percentile(values, 99), 10);
  });

  void it('refuses no values and p outside [0, 100]', () => {
    assert.throws(() => percentile([], 50), RangeError);
    assert.throws(() => percentile([1], -1), RangeError);
    assert.throws(() => percentile([1], 101), RangeError);
    assert.throws(() => percentile([1], Number.NaN), RangeError);
  });
});

void describe('summarizeLatencies', () => {
  void it('gives p50, p95, p99, mean and max', () => {
    const latencies = Array.from({ length: 100 }, (_, index) => (index + 1) * 10);
    assert.deepEqual(summarizeLatencies(latencies.reverse()), {
      count: 100,
      p50: 500,
      p95: 950,
      p99: 990,
      mean: 505,
      max: 1000,
    });
    assert.deepEqual(summarizeLatencies([42]), { count: 1, p50: 42, p95: 42, p99: 42, mean: 42, max: 42 });
  });

  void it('is all zeros for no latencies, so a run where everything failed still reports', () => {
    assert.deepEqual(summarizeLatencies([]), { count: 0, p50: 0, p95: 0, p99: 0, mean: 0, max: 0 });
  });

  void it('handles more values than a spread argument list can hold', () => {
    const many = Array.from({ length: 200_000 }, (_, index) => index);
    assert.equal(summarizeLatencies(many).max, 199_999);
  });
});

void describe('accuracy', () => {
  void it('is the share correct, and 0 for nothing asked', () => {
    assert.equal(accuracy(10, 12), 10 / 12);
    assert.equal(accuracy(0, 0), 0);
    assert.equal(mean([]), 0);
    assert.equal(mean([1, 2, 6]), 3);
  });

  void it('has a Wilson interval that is wide for a dozen questions and exact at the ends', () => {
    const { low, high } = wilsonInterval(10, 12);
    assert.ok(Math.abs(low - 0.552) < 0.001, String(low));
    assert.ok(Math.abs(high - 0.953) < 0.001, String(high));
    assert.deepEqual(wilsonInterval(12, 12).high, 1);
    assert.deepEqual(wilsonInterval(0, 12).low, 0);
    assert.deepEqual(wilsonInterval(0, 0), { low: 0, high: 0 });
    const narrow = wilsonInterval(830, 1000);
    assert.ok(narrow.low > 0.8 && narrow.high < 0.86, JSON.stringify(narrow));
  });
});
