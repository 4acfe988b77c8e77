import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { createBlobStore, type BlobStore } from '../../activities/blobs/blob-store.js';
import { connectRedisBlobStore } from '../../activities/blobs/redis-blob-store.js';
import { ConversationStore } from '../../activities/conversation/conversation-store.js';
import { estimateRequestTokens } from '../../activities/llm/estimate-request-tokens.js';
import type { ChatMessage, ToolSpec } from '../../common/chat.js';

const tools: ToolSpec[] = [
  { name: 'calculator', description: 'Evaluates arithmetic.', parameters: { type: 'object' } },
];
const opening: ChatMessage[] = [
  { role: 'system', content: 'You count.' },
  { role: 'user', content: 'Count to three.' },
];
const turn = (step: number): ChatMessage[] => [
  {
    role: 'assistant',
    content: '',
    toolCalls: [{ id: `call_${step}`, name: 'calculator', arguments: `{"expression":"${step} + 1"}` }],
  },
  {
    role: 'tool',
    toolCallId: `call_${step}`,
    toolName: 'calculator',
    content: String(step + 1),
    isError: false,
  },
];

/** The store's behaviour on one blob backend: what every backend must do the same. */
function contract(name: string, options: { skip?: string | false; make: () => Promise<BlobStore> }) {
  void describe(`conversation store on ${name} blobs`, { skip: options.skip }, () => {
    let blobs: BlobStore;
    before(async () => {
      blobs = await options.make();
    });

    void it('rebuilds a conversation from its key on a worker that never saw it', async () => {
      const writer = new ConversationStore(blobs);
      let { ref } = await writer.append(undefined, tools, opening);
      for (let step = 0; step < 3; step += 1) ({ ref } = await writer.append(ref.key, undefined, turn(step)));

      const fresh = new ConversationStore(blobs);
      const loaded = await fresh.load(ref.key);
      const messages = [...opening, ...turn(0), ...turn(1), ...turn(2)];
      assert.deepEqual(loaded.tools, tools);
      assert.deepEqual(loaded.messages, messages);
      // The count it carries is the one the whole request would get.
      assert.equal(ref.inputTokens, estimateRequestTokens({ messages, tools }).inputTokens);
      assert.equal(loaded.inputTokens, ref.inputTokens);
    });

    void it('stores the same messages on the same base under the same key (a retry writes nothing new)', async () => {
      const first = await new ConversationStore(blobs).append(undefined, tools, opening);
      const again = await new ConversationStore(blobs).append(undefined, tools, opening);
      assert.deepEqual(again.ref, first.ref);
      const next = await new ConversationStore(blobs).append(first.ref.key, undefined, []);
      assert.deepEqual(next.ref, first.ref, 'appending nothing is the same conversation');
    });

    void it('gives a tool result stored by reference its text back', async () => {
      const page = `<html>${'x'.repeat(8_000)}</html>`;
      const stored = await blobs.put(page);
      const store = new ConversationStore(blobs);
      const { ref } = await store.append(undefined, tools, [
        ...opening,
        turn(0)[0]!,
        { role: 'tool', toolCallId: 'call_0', toolName: 'calculator', contentRef: stored, isError: false },
      ]);
      const loaded = await new ConversationStore(blobs).load(ref.key);
      assert.equal(loaded.messages.at(-1)?.role, 'tool');
      assert.equal((loaded.messages.at(-1) as { content: string }).content, page);
    });

    void it('names the missing blob when a conversation is not in the store', async () => {
      const missing = `sha256:${'0'.repeat(64)}`;
      await assert.rejects(
        new ConversationStore(blobs).load(missing),
        new RegExp(`blob ${missing} is missing`),
      );
    });
  });
}

let directory: string;
contract('file', {
  make: async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'llmos-conversations-'));
    return createBlobStore(directory);
  },
});
after(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
});

const redisUrl = process.env.LLMOS_TEST_REDIS_URL;
const redisPrefix = `llmos-test:${randomUUID()}:`;
const redisStores: { close(): Promise<void> }[] = [];
contract('Redis', {
  skip:
    !redisUrl &&
    'LLMOS_TEST_REDIS_URL is not set; start one with: export LLMOS_TEST_REDIS_URL="$(scripts/redis/setup-redis.sh)"',
  make: async () => {
    const store = await connectRedisBlobStore({ url: redisUrl!, keyPrefix: redisPrefix });
    redisStores.push(store);
    return store;
  },
});
after(async () => {
  for (const store of redisStores) await store.close();
  if (!redisUrl) return;
  // Blobs never expire: remove what this run wrote.
  const client = createClient({ url: redisUrl });
  await client.connect();
  try {
    const keys = await client.keys(`${redisPrefix}*`);
    if (keys.length > 0) await client.del(keys);
  } finally {
    await client.close();
  }
});
