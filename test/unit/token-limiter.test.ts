import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { connectRedisTokenWindow } from '../../activities/llm/rate-limits/redis-token-window.js';
import { SqliteTokenWindow } from '../../activities/llm/rate-limits/sqlite-token-window.js';
import { TokenLimiter } from '../../activities/llm/rate-limits/token-limiter.js';
import {
  decideTake,
  tokenWindowMs,
  type TokenWindowStore,
} from '../../activities/llm/rate-limits/token-window.js';
import { parseWorkerConfig } from '../../workers/config.js';

void describe('decideTake', () => {
  const grants = [
    { at: 1_000, tokens: 400 },
    { at: 5_000, tokens: 300 },
    { at: 9_000, tokens: 200 },
  ];

  void it('grants while the window plus the request stays within the limit', () => {
    assert.deepEqual(decideTake(grants, 100, 1_000, 10_000), { granted: true });
    assert.deepEqual(decideTake([], 1_000, 1_000, 0), { granted: true });
  });

  void it('says when enough of the oldest grants will have left the window', () => {
    // 900 used; 500 more needs the first grant (400) gone: at 1 000 + 60 000.
    assert.deepEqual(decideTake(grants, 500, 1_000, 10_000), { granted: false, retryInMs: 51_000 });
    // 800 more needs the first two gone: at 5 000 + 60 000.
    assert.deepEqual(decideTake(grants, 800, 1_000, 10_000), { granted: false, retryInMs: 55_000 });
  });
});

/** The same behaviour from every store; `now` is moved by the test. */
function windowContract(
  name: string,
  options: { skip?: string | false; make: (now: () => number) => Promise<TokenWindowStore> },
) {
  void describe(`${name} token window`, { skip: options.skip }, () => {
    let now = 1_000_000;
    let window: TokenWindowStore;
    const key = () => `openai:${randomUUID()}`;
    before(async () => {
      window = await options.make(() => now);
    });
    after(() => window.close());

    void it('grants up to the limit, then refuses with the wait until the oldest grant expires', async () => {
      const k = key();
      assert.deepEqual(await window.take(k, 'a', 600, 1_000), { granted: true });
      now += 10_000;
      assert.deepEqual(await window.take(k, 'b', 400, 1_000), { granted: true });
      assert.deepEqual(await window.take(k, 'c', 100, 1_000), {
        granted: false,
        retryInMs: tokenWindowMs - 10_000,
      });
      now += tokenWindowMs - 10_000; // `a` has left the window
      assert.deepEqual(await window.take(k, 'c', 100, 1_000), { granted: true });
    });

    void it('frees room when a call settles below its estimate', async () => {
      const k = key();
      assert.deepEqual(await window.take(k, 'a', 900, 1_000), { granted: true });
      assert.equal((await window.take(k, 'b', 500, 1_000)).granted, false);
      await window.settle(k, 'a', 300);
      assert.deepEqual(await window.take(k, 'b', 500, 1_000), { granted: true });
      // A settle for a grant that has left the window changes nothing.
      now += tokenWindowMs;
      await window.settle(k, 'a', 5_000);
      assert.deepEqual(await window.take(k, 'c', 1_000, 1_000), { granted: true });
    });

    void it('keeps keys apart', async () => {
      const [first, second] = [key(), key()];
      assert.deepEqual(await window.take(first, 'a', 1_000, 1_000), { granted: true });
      assert.deepEqual(await window.take(second, 'a', 1_000, 1_000), { granted: true });
    });
  });
}

let directory: string;
before(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'llmos-token-window-'));
});
after(() => rm(directory, { recursive: true, force: true }));

windowContract('SQLite', {
  make: (now) => Promise.resolve(new SqliteTokenWindow({ file: path.join(directory, 'window.sqlite'), now })),
});

const redisUrl = process.env.LLMOS_TEST_REDIS_URL;
windowContract('Redis', {
  skip:
    !redisUrl &&
    'LLMOS_TEST_REDIS_URL is not set; start one with: export LLMOS_TEST_REDIS_URL="$(scripts/redis/setup-redis.sh)"',
  make: (now) => connectRedisTokenWindow({ url: redisUrl!, keyPrefix: `llmos-test:${randomUUID()}:`, now }),
});

void describe('SQLite token window shared by two processes', () => {
  void it('is one window for every connection to the file', async () => {
    const file = path.join(directory, 'shared.sqlite');
    const first = new SqliteTokenWindow({ file });
    const second = new SqliteTokenWindow({ file });
    try {
      assert.deepEqual(await first.take('openai', 'a', 700, 1_000), { granted: true });
      assert.equal((await second.take('openai', 'b', 700, 1_000)).granted, false);
      assert.deepEqual(await second.take('openai', 'b', 300, 1_000), { granted: true });
    } finally {
      await first.close();
      await second.close();
    }
  });
});

void describe('TokenLimiter', () => {
  /** A limiter over a SQLite window whose clock moves only when the limiter sleeps. */
  function limiterAt(limits: Record<string, number>) {
    let now = 5_000_000;
    const window = new SqliteTokenWindow({ file: ':memory:', now: () => now });
    const slept: number[] = [];
    const warnings: string[] = [];
    const limiter = new TokenLimiter(limits, window);
    const acquire = (model: string, tokens: number, maxWaitMs = 60_000) =>
      limiter.acquire(model, tokens, {
        id: randomUUID(),
        sleep: (ms) => {
          slept.push(ms);
          now += ms;
          return Promise.resolve();
        },
        maxWaitMs,
        warn: (message) => warnings.push(message),
      });
    return { limiter, acquire, slept, warnings };
  }

  void it("applies a model's own limit before its provider's, and none to other providers", () => {
    const { limiter } = limiterAt({ openai: 10_000, 'openai:gpt-4o': 2_000 });
    assert.deepEqual(limiter.limitFor('openai:gpt-4o'), { key: 'openai:gpt-4o', tokensPerMinute: 2_000 });
    assert.deepEqual(limiter.limitFor('openai:gpt-4o-mini'), { key: 'openai', tokensPerMinute: 10_000 });
    assert.equal(limiter.limitFor('anthropic:claude-haiku-4-5'), undefined);
  });

  void it('waits, rechecking every second, until the window has room', async () => {
    const { acquire, slept } = limiterAt({ openai: 1_000 });
    assert.ok(await acquire('openai:gpt-4o-mini', 800));
    assert.ok(await acquire('openai:gpt-4o-mini', 500));
    assert.equal(slept.length, 60);
    assert.ok(slept.every((ms) => ms === 1_000));
  });

  void it('lets a waiting call through as soon as another settles below its estimate', async () => {
    const { acquire, slept } = limiterAt({ openai: 1_000 });
    const first = await acquire('openai:gpt-4o-mini', 900);
    await first!.settle(100);
    assert.ok(await acquire('openai:gpt-4o-mini', 800));
    assert.deepEqual(slept, []);
  });

  void it('hands a wait longer than allowed to Temporal as a retry when the window has room', async () => {
    const { acquire, slept } = limiterAt({ openai: 1_000 });
    await acquire('openai:gpt-4o-mini', 1_000);
    await assert.rejects(acquire('openai:gpt-4o-mini', 10, 30_000), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'ModelRateLimited');
      assert.equal(error.nonRetryable, false);
      assert.equal(error.nextRetryDelay, 30_000); // the first grant leaves the window then
      assert.match(error.message, /openai is at its limit of 1000 tokens per minute/);
      return true;
    });
    assert.equal(
      slept.reduce((sum, ms) => sum + ms, 0),
      30_000,
    );
  });

  void it('refuses a request larger than the whole limit, for good', async () => {
    const { acquire } = limiterAt({ 'openai:gpt-4o': 1_000 });
    await assert.rejects(acquire('openai:gpt-4o', 5_000), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'ModelRequestRejected');
      assert.equal(error.nonRetryable, true);
      assert.match(
        error.message,
        /5000 tokens .* more than the 1000 tokens per minute allowed for openai:gpt-4o/,
      );
      return true;
    });
  });

  void it('lets calls through, with a warning, when the store fails', async () => {
    const broken: TokenWindowStore = {
      take: () => Promise.reject(new Error('connection refused')),
      settle: () => Promise.reject(new Error('connection refused')),
      close: () => Promise.resolve(),
    };
    const warnings: string[] = [];
    const grant = await new TokenLimiter({ openai: 1_000 }, broken).acquire('openai:gpt-4o', 10, {
      id: 'x',
      sleep: () => Promise.resolve(),
      maxWaitMs: 1_000,
      warn: (message) => warnings.push(message),
    });
    assert.equal(grant, undefined);
    assert.match(warnings[0]!, /token limiter unavailable.*connection refused/);
  });
});

void describe('LLMOS_TOKEN_LIMITS', () => {
  void it('reads provider and model limits', () => {
    const config = parseWorkerConfig({
      LLMOS_TOKEN_LIMITS: 'openai=200000, anthropic:claude-haiku-4-5=40000',
    });
    assert.deepEqual(config.LLMOS_TOKEN_LIMITS, { openai: 200_000, 'anthropic:claude-haiku-4-5': 40_000 });
  });

  void it('names each entry it cannot read', () => {
    assert.throws(
      () => parseWorkerConfig({ LLMOS_TOKEN_LIMITS: 'opanai=5,openai=lots' }),
      (error: unknown) =>
        error instanceof Error &&
        error.message.includes('LLMOS_TOKEN_LIMITS: "opanai=5" is not provider=tokens-per-minute') &&
        error.message.includes('"openai=lots"'),
    );
  });
});
