import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import {
  cacheKey,
  canonicalJson,
  normalizeRequest,
  shouldUseCache,
} from '../../activities/llm/response-cache/cache-key.js';
import { connectRedisResponseCache } from '../../activities/llm/response-cache/redis-response-cache.js';
import type { NewCachedResponse, ResponseCache } from '../../activities/llm/response-cache/response-cache.js';
import { SqliteResponseCache } from '../../activities/llm/response-cache/sqlite-response-cache.js';
import { redactUrl } from '../../activities/redact-url.js';
import { ChatRequestSchema, type ChatRequest, type ChatResponse } from '../../common/chat.js';

const request = (fields: Record<string, unknown>): ChatRequest => ChatRequestSchema.parse(fields);

/** A two-turn tool conversation; `callId` is the provider's made-up id. */
function toolConversation(callId: string, extra: Record<string, unknown> = {}): ChatRequest {
  return request({
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'What is 3% of 18,250?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: callId, name: 'calculator', arguments: '{"expression":"0.03*18250"}' }],
      },
      { role: 'tool', toolCallId: callId, toolName: 'calculator', content: '547.5' },
    ],
    tools: [
      {
        name: 'calculator',
        description: 'Evaluates arithmetic.',
        parameters: { type: 'object', properties: { expression: { type: 'string' } } },
      },
    ],
    temperature: 0,
    ...extra,
  });
}

const response: ChatResponse = {
  message: { role: 'assistant', content: '547.5', toolCalls: [] },
  usage: { inputTokens: 120, outputTokens: 4, cachedInputTokens: 0, reasoningTokens: 0 },
  finishReason: 'stop',
  responseModel: 'gpt-4o-mini-2024-07-18',
};
const entry: NewCachedResponse = { model: 'openai:gpt-4o-mini', response, costUsd: 0.0000204 };

void describe('cacheKey', () => {
  const base = toolConversation('call_abc');

  void it('is a sha256 in hex, the same for the same request', () => {
    assert.match(cacheKey('openai:gpt-4o-mini', base), /^[0-9a-f]{64}$/);
    assert.equal(
      cacheKey('openai:gpt-4o-mini', base),
      cacheKey('openai:gpt-4o-mini', toolConversation('call_abc')),
    );
  });

  void it('ignores key order, undefined fields and whitespace at the ends of message text', () => {
    const reordered = request({
      temperature: 0,
      maxOutputTokens: undefined,
      tools: base.tools.map((tool) => ({
        parameters: { properties: { expression: { type: 'string' } }, type: 'object' },
        description: tool.description,
        name: tool.name,
      })),
      messages: base.messages.map((message) => ({ ...message, content: `\n  ${message.content}  \n` })),
    });
    assert.equal(cacheKey('openai:gpt-4o-mini', reordered), cacheKey('openai:gpt-4o-mini', base));
  });

  void it('ignores the provider-made tool call ids but keeps which result answers which call', () => {
    assert.equal(cacheKey('m:x', toolConversation('toolu_01XYZ')), cacheKey('m:x', base));
    const twoCalls = (first: string, second: string, answered: string) =>
      request({
        messages: [
          { role: 'user', content: 'q' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [
              { id: first, name: 'calculator', arguments: '{"expression":"1+1"}' },
              { id: second, name: 'calculator', arguments: '{"expression":"2+2"}' },
            ],
          },
          { role: 'tool', toolCallId: answered, toolName: 'calculator', content: '2' },
        ],
      });
    assert.equal(cacheKey('m:x', twoCalls('a', 'b', 'a')), cacheKey('m:x', twoCalls('c', 'd', 'c')));
    assert.notEqual(cacheKey('m:x', twoCalls('a', 'b', 'a')), cacheKey('m:x', twoCalls('a', 'b', 'b')));
  });

  void it('changes with anything the model sees', () => {
    const key = cacheKey('openai:gpt-4o-mini', base);
    const variants: [string, ChatRequest][] = [
      ['another model', base],
      ['', toolConversation('call_abc', { temperature: 0.7 })],
      ['', toolConversation('call_abc', { maxOutputTokens: 100 })],
      ['', toolConversation('call_abc', { tools: [] })],
      [
        '',
        request({
          ...base,
          messages: [...base.messages.slice(0, 1), { role: 'user', content: 'What is 4% of 18,250?' }],
        }),
      ],
      [
        '',
        request({
          ...base,
          messages: base.messages.map((m) => (m.role === 'system' ? { ...m, role: 'user' } : m)),
        }),
      ],
      [
        '',
        request({
          ...base,
          messages: base.messages.map((m) => (m.role === 'tool' ? { ...m, isError: true } : m)),
        }),
      ],
      ['', request({ ...base, messages: [...base.messages].reverse() })],
      [
        '',
        request({
          ...base,
          messages: base.messages.map((m) => ({ ...m, content: m.content.replace('terse', 'ter se') })),
        }),
      ],
      [
        '',
        request({
          messages: base.messages,
          responseFormat: { name: 'answer', schema: { type: 'object' } },
          temperature: 0,
        }),
      ],
    ];
    for (const [index, [model, variant]] of variants.entries()) {
      assert.notEqual(
        cacheKey(model === '' ? 'openai:gpt-4o-mini' : 'openai:gpt-4o', variant),
        key,
        `variant ${index}`,
      );
    }
  });

  void it('treats a missing toolCalls list like an empty one (schema defaults apply)', () => {
    const bare = {
      messages: [
        { role: 'assistant', content: 'hi' },
        { role: 'user', content: 'go on' },
      ],
    };
    assert.equal(cacheKey('m:x', bare as unknown as ChatRequest), cacheKey('m:x', request(bare)));
  });

  void it('normalizes to the fields listed, in canonical JSON', () => {
    const normalized = normalizeRequest(
      ' openai:gpt-4o-mini ',
      request({ messages: [{ role: 'user', content: ' hi ' }] }),
    );
    assert.equal(
      canonicalJson(normalized),
      '{"messages":[{"content":"hi","role":"user"}],"model":"openai:gpt-4o-mini","tools":[]}',
    );
    assert.equal(
      canonicalJson({ b: [{ d: 1, c: undefined, a: null }], a: 'x' }),
      '{"a":"x","b":[{"a":null,"d":1}]}',
    );
  });
});

void describe('shouldUseCache', () => {
  void it('caches temperature 0 only, unless non-zero temperatures are allowed', () => {
    const at = (temperature?: number) =>
      request({
        messages: [{ role: 'user', content: 'hi' }],
        ...(temperature === undefined ? {} : { temperature }),
      });
    assert.equal(shouldUseCache(at(0)), true);
    assert.equal(shouldUseCache(at(0.7)), false);
    assert.equal(shouldUseCache(at(0.7), { allowNonZeroTemperature: false }), false);
    assert.equal(shouldUseCache(at(0.7), { allowNonZeroTemperature: true }), true);
    // No temperature means the provider's default (1 for OpenAI and Anthropic): a sample.
    assert.equal(shouldUseCache(at()), false);
    assert.equal(shouldUseCache(at(), { allowNonZeroTemperature: true }), true);
  });
});

/**
 * What every backend must do. `make` builds a cache on a clock the test moves; `corrupt`
 * stores a value that is not an entry under a key, behind the cache's back.
 */
function contract(
  name: string,
  options: {
    skip?: string | false;
    make: (now: () => number) => Promise<ResponseCache>;
    corrupt: (cache: ResponseCache, key: string, text: string) => Promise<void>;
  },
) {
  void describe(`${name} response cache`, { skip: options.skip ?? false }, () => {
    const clock = { now: 1_750_000_000_000 };
    let cache: ResponseCache;
    before(async () => {
      cache = await options.make(() => clock.now);
    });
    after(async () => {
      await cache?.close();
    });
    const key = () => randomUUID().replaceAll('-', '');

    void it('misses, then hits with the stored response, model, cost and times', async () => {
      const k = key();
      assert.equal(await cache.get(k), undefined);
      await cache.set(k, entry, { ttlMs: 60_000 });
      assert.deepEqual(await cache.get(k), {
        ...entry,
        createdAt: clock.now,
        expiresAt: clock.now + 60_000,
      });
    });

    void it('keeps an unknown cost as null', async () => {
      const k = key();
      await cache.set(k, { ...entry, costUsd: null }, { ttlMs: 60_000 });
      assert.equal((await cache.get(k))?.costUsd, null);
    });

    void it('replaces an entry set again', async () => {
      const k = key();
      await cache.set(k, entry, { ttlMs: 60_000 });
      const other = {
        ...response,
        message: { ...response.message, content: 'five hundred forty-seven and a half' },
      };
      await cache.set(k, { ...entry, response: other }, { ttlMs: 60_000 });
      assert.deepEqual((await cache.get(k))?.response, other);
    });

    void it('honours the TTL on read: expired is a miss, and the entry is deleted', async () => {
      const k = key();
      await cache.set(k, entry, { ttlMs: 10_000 });
      clock.now += 9_999;
      assert.ok(await cache.get(k), 'still fresh 1 ms before expiry');
      clock.now += 1;
      assert.equal(await cache.get(k), undefined);
      // Back in time the entry would be fresh again, had the expired read not deleted it.
      clock.now -= 5_000;
      assert.equal(await cache.get(k), undefined);
      clock.now += 5_000;
    });

    void it('deletes', async () => {
      const k = key();
      await cache.set(k, entry, { ttlMs: 60_000 });
      await cache.delete(k);
      assert.equal(await cache.get(k), undefined);
    });

    void it('reads a value that is not an entry as a miss, and deletes it', async () => {
      const k = key();
      await options.corrupt(
        cache,
        k,
        JSON.stringify({ model: 'openai:gpt-4o-mini', response: 'old format' }),
      );
      assert.equal(await cache.get(k), undefined);
      const j = key();
      await options.corrupt(cache, j, '{not json');
      assert.equal(await cache.get(j), undefined);
    });

    void it('refuses a TTL that is not a positive whole number of milliseconds', async () => {
      for (const ttlMs of [0, -1, 1.5, Number.POSITIVE_INFINITY]) {
        await assert.rejects(cache.set(key(), entry, { ttlMs }), /ttlMs/, String(ttlMs));
      }
    });

    void it('refuses to store a response that is not a ChatResponse', async () => {
      const broken = {
        ...entry,
        response: { ...response, finishReason: 'bored' },
      } as unknown as NewCachedResponse;
      await assert.rejects(cache.set(key(), broken, { ttlMs: 1_000 }));
    });
  });
}

contract('SQLite', {
  make: (now) => Promise.resolve(new SqliteResponseCache({ file: ':memory:', now })),
  corrupt: async (cache, key, text) => {
    // Store a valid entry, then overwrite its JSON through the same table.
    await cache.set(key, entry, { ttlMs: 60_000 });
    const db = (cache as unknown as { db: { prepare(sql: string): { run(...args: unknown[]): unknown } } })
      .db;
    db.prepare('UPDATE response_cache SET entry = ? WHERE key = ?').run(text, key);
  },
});

void describe('SQLite response cache on a file', () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'llmos-cache-'));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  void it('uses WAL, survives a reopen, and purges expired rows', async () => {
    const file = path.join(directory, 'cache.db');
    let now = 1_000;
    const first = new SqliteResponseCache({ file, now: () => now });
    await first.set('a', entry, { ttlMs: 100 });
    await first.set('b', entry, { ttlMs: 10_000 });
    await first.close();

    const second = new SqliteResponseCache({ file, now: () => now });
    const db = (second as unknown as { db: { pragma(text: string, options: object): unknown } }).db;
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal((await second.get('b'))?.model, 'openai:gpt-4o-mini');
    now = 2_000;
    assert.equal(second.size(), 2);
    assert.equal(second.purgeExpired(), 1);
    assert.equal(second.size(), 1);
    await second.close();
  });
});

const redisUrl = process.env.LLMOS_TEST_REDIS_URL;
const redisPrefix = `llmos-test:${randomUUID()}:`;
contract('Redis', {
  skip:
    !redisUrl &&
    'LLMOS_TEST_REDIS_URL is not set; start one with: export LLMOS_TEST_REDIS_URL="$(scripts/redis/setup-redis.sh)"',
  make: (now) => connectRedisResponseCache({ url: redisUrl!, keyPrefix: redisPrefix, now }),
  corrupt: async (_cache, key, text) => {
    const client = createClient({ url: redisUrl! });
    await client.connect();
    try {
      // With an expiry, like every entry, so that test runs leave nothing behind.
      await client.set(redisPrefix + key, text, { expiration: { type: 'PX', value: 60_000 } });
    } finally {
      await client.close();
    }
  },
});

void describe(
  'Redis response cache, Redis side',
  { skip: !redisUrl && 'LLMOS_TEST_REDIS_URL is not set' },
  () => {
    void it('sets a Redis expiry on each entry and keeps keys under the prefix', async () => {
      const prefix = `llmos-test:${randomUUID()}:`;
      const cache = await connectRedisResponseCache({ url: redisUrl!, keyPrefix: prefix });
      const client = createClient({ url: redisUrl! });
      await client.connect();
      try {
        await cache.set('k', entry, { ttlMs: 30_000 });
        const ttl = await client.pTTL(`${prefix}k`);
        assert.ok(ttl > 29_000 && ttl <= 30_000, `pttl ${ttl}`);
        assert.deepEqual(await client.keys(`${prefix}*`), [`${prefix}k`]);
        await cache.delete('k');
        assert.equal(await client.exists(`${prefix}k`), 0);
      } finally {
        await client.close();
        await cache.close();
      }
    });
  },
);

void describe('connectRedisResponseCache', () => {
  void it('fails at once on a Redis it cannot reach, naming the URL without its password', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    await assert.rejects(
      connectRedisResponseCache({ url: 'redis://user:s3cret@127.0.0.1:1' }),
      (error: unknown) =>
        error instanceof Error &&
        error.message.includes("response cache's Redis at redis://user:***@127.0.0.1:1") &&
        !error.message.includes('s3cret'),
    );
  });

  void it('redacts passwords in URLs', () => {
    assert.equal(redactUrl('redis://:pw@host:6379/0'), 'redis://:***@host:6379/0');
    assert.equal(redactUrl('redis://host:6379'), 'redis://host:6379');
    assert.equal(redactUrl('not a url'), '(an invalid URL)');
  });
});
