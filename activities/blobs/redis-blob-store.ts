import { redactUrl } from '../redact-url.js';
import { connectRedis } from '../llm/redis-connection.js';
import { blobOf, hexOf, verifiedText } from './blob-key.js';
import type { BlobStore } from './blob-store.js';

export const defaultRedisBlobPrefix = 'llmos:blob:';

/**
 * The blob store in Redis, for workers on different machines: each blob is one string key,
 * `<prefix><sha256 hex>`, written with SET NX (a blob is never rewritten, and writing the same
 * text twice is one write). Blobs do not expire: runs in flight and finished runs' reports read
 * them. Give Redis persistence (AOF or RDB) when it holds blobs, unlike the response cache.
 */
export async function connectRedisBlobStore(options: {
  url: string;
  keyPrefix?: string | undefined;
}): Promise<BlobStore & { close(): Promise<void> }> {
  const client = await connectRedis(options.url, 'blob store');
  const prefix = options.keyPrefix ?? defaultRedisBlobPrefix;
  const location = `Redis ${redactUrl(options.url)}`;
  return {
    location,
    async put(text) {
      const { data, hex, ref } = blobOf(text);
      await client.set(`${prefix}${hex}`, data, { condition: 'NX' });
      return ref;
    },
    async get(ref) {
      const hex = hexOf(ref);
      // The bytes were written from UTF-8 text, so the string read back encodes to them again.
      const text = await client.get(`${prefix}${hex}`);
      if (text === null) throw new Error(`blob sha256:${hex} is missing from ${location}`);
      return verifiedText(hex, Buffer.from(text, 'utf8'), location);
    },
    async has(ref) {
      return (await client.exists(`${prefix}${hexOf(ref)}`)) === 1;
    },
    async close() {
      if (client.isOpen) await client.close();
    },
  };
}
