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
// so workers with skewed clocks still share one window. Grants: a sorted set of ids by time, and
// a hash of their tokens; both expire on their own when a key goes quiet.
const takeScript = `
local atKey, tokensKey = KEYS[1], KEYS[2]
local now = tonumber(ARGV[1])
if now < 0 then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local window, tokens, limit, id = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local expired = redis.call('ZRANGEBYSCORE', atKey, '-inf', now - window)
for _, old in ipairs(expired) do redis.call('HDEL', tokensKey, old) end
redis.call('ZREMRANGEBYSCORE', atKey, '-inf', now - window)
local grants = redis.call('ZRANGE', atKey, 0, -1, 'WITHSCORES')
local used, amounts = 0, {}
for i = 1, #grants, 2 do
  local amount = tonumber(redis.call('HGET', tokensKey, grants[i]) or '0')
  amounts[#amounts + 1] = amount
  used = used + amount
end
if used + tokens <= limit then
  redis.call('ZADD', atKey, now, id)
  redis.call('HSET', tokensKey, id, tokens)
  redis.call('PEXPIRE', atKey, window * 2)
  redis.call('PEXPIRE', tokensKey, window * 2)
  return {1, 0}
end
for i = 1, #amounts do
  used = used - amounts[i]
  if used + tokens <= limit then return {0, math.max(1, tonumber(grants[2 * i]) + window - now)} end
end
return {0, window}
`;

const settleScript = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
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

  /** Both keys share a hash tag, so a Redis Cluster keeps them on one node (scripts need that). */
  private keys(key: string): string[] {
    return [`${this.prefix}{${key}}:at`, `${this.prefix}{${key}}:tokens`];
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
