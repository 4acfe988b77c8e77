import { connectRedis } from '../redis-connection.js';
import { tokenWindowMs, type TakeResult, type TokenWindowStore } from './token-window.js';

/** The commands the window uses: any node-redis client has it. */
export interface RedisScripting {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  readonly isOpen: boolean;
  close(): Promise<void>;
}

export const defaultTokenWindowPrefix = 'llmos:token-window:';

// `decideTake` (token-window.ts) in Lua, so that reading the window, deciding and recording the
// grant is one atomic step on the Redis server. Time is the server's (TIME) unless a test sets it,
// so workers with skewed clocks still share one window. Keys: a sorted set of grant ids by time,
// a hash of their tokens and their running total, so a grant costs the expired entries plus a
// few commands, not a walk over the whole window (which happens only to work out a wait). All
// three expire on their own when a limit goes quiet.
const takeScript = `
local atKey, tokensKey, usedKey = KEYS[1], KEYS[2], KEYS[3]
local now = tonumber(ARGV[1])
if now < 0 then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local window, tokens, limit, id = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local used = tonumber(redis.call('GET', usedKey) or '-1')
if used < 0 then
  used = 0
  for _, amount in ipairs(redis.call('HVALS', tokensKey)) do used = used + tonumber(amount) end
end
for _, old in ipairs(redis.call('ZRANGEBYSCORE', atKey, '-inf', now - window)) do
  used = used - tonumber(redis.call('HGET', tokensKey, old) or '0')
  redis.call('HDEL', tokensKey, old)
end
redis.call('ZREMRANGEBYSCORE', atKey, '-inf', now - window)
if used + tokens <= limit then
  redis.call('ZADD', atKey, now, id)
  redis.call('HSET', tokensKey, id, tokens)
  redis.call('SET', usedKey, used + tokens, 'PX', window * 2)
  redis.call('PEXPIRE', atKey, window * 2)
  redis.call('PEXPIRE', tokensKey, window * 2)
  return {1, 0}
end
redis.call('SET', usedKey, used, 'PX', window * 2)
local grants = redis.call('ZRANGE', atKey, 0, -1, 'WITHSCORES')
for i = 1, #grants, 2 do
  used = used - tonumber(redis.call('HGET', tokensKey, grants[i]) or '0')
  if used + tokens <= limit then return {0, math.max(1, tonumber(grants[i + 1]) + window - now)} end
end
return {0, window}
`;

const settleScript = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  local previous = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('INCRBY', KEYS[3], tonumber(ARGV[2]) - previous) end
end
return 0
`;

/** The token window in Redis: every worker that reaches it shares one window per limit key. */
export class RedisTokenWindow implements TokenWindowStore {
  private readonly prefix: string;
  private readonly now: (() => number) | undefined;

  constructor(
    private readonly client: RedisScripting,
    options: { keyPrefix?: string | undefined; now?: (() => number) | undefined } = {},
  ) {
    this.prefix = options.keyPrefix ?? defaultTokenWindowPrefix;
    this.now = options.now;
  }

  /** The keys share a hash tag, so a Redis Cluster keeps them on one node (scripts need that). */
  private keys(key: string): string[] {
    return ['at', 'tokens', 'used'].map((part) => `${this.prefix}{${key}}:${part}`);
  }

  async take(key: string, id: string, tokens: number, limit: number): Promise<TakeResult> {
    const now = this.now ? this.now() : -1;
    const reply = (await this.client.eval(takeScript, {
      keys: this.keys(key),
      arguments: [now, tokenWindowMs, tokens, limit, id].map(String),
    })) as [number, number];
    return reply[0] === 1 ? { granted: true } : { granted: false, retryInMs: Number(reply[1]) };
  }

  async settle(key: string, id: string, tokens: number): Promise<void> {
    await this.client.eval(settleScript, { keys: this.keys(key), arguments: [id, String(tokens)] });
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close();
  }
}

/** Connects (failing at once, URL named, when it cannot) and returns the window. */
export async function connectRedisTokenWindow(options: {
  url: string;
  keyPrefix?: string | undefined;
  /** Milliseconds since the epoch; Redis's own clock (TIME) when absent. */
  now?: (() => number) | undefined;
}): Promise<RedisTokenWindow> {
  return new RedisTokenWindow(await connectRedis(options.url, 'token limiter'), options);
}
