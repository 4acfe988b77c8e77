import { redactUrl } from '../redact-url.js';
import { createClient } from 'redis';

export type RedisClient = Awaited<ReturnType<typeof connectRedis>>;

/**
 * Connects to Redis for one purpose (named in errors). A Redis that cannot be reached fails
 * here, with its URL (password hidden) in the message, rather than on the first model call.
 */
export async function connectRedis(url: string, purpose: string) {
  // No endless reconnect loop on start-up: a wrong URL must fail now, not hang.
  const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 5_000 } });
  // Without a listener, a connection error event would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `cannot connect to the ${purpose}'s Redis at ${redactUrl(url)}: ${(error as Error).message}`,
    );
  }
  return client;
}
