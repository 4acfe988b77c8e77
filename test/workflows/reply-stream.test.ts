import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CustomerServiceRequest } from '../../common/customer-service.js';
import { closeSessionUpdate, sendMessageUpdate } from '../../common/messages.js';
import type { ReplyStreamEvent } from '../../common/reply-stream.js';
import type { customerServiceWorkflow } from '../../workflows/index.js';
import { followReplies, replyStreamOffset, ReplyViews } from '../../client/reply-stream.js';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { quickRetry } from './agent-harness.js';

const config = {
  name: 'stream-support',
  version: '1',
  role: 'You are the support agent of a test company.',
  tone: 'Brief.',
  knowledgeBase: 'help',
  tools: [],
  review: { threshold: 0.5 },
  session: { idleTimeout: '10m' },
} satisfies CustomerServiceRequest['config'];

const answer = 'Your router restarts at night to install updates; you can move the hour in its settings.';
const script: FakeLlmScript = {
  rules: [
    {
      match: { responseFormat: '^message_assessment$' },
      reply: { json: { sentiment: 0.1, priority: 'normal', product: null, wantsHuman: false } },
    },
    {
      match: { responseFormat: '^reply_review$' },
      reply: { json: { score: 0.9, problems: [] } },
    },
    // The first attempt breaks off half way through its stream; the retry answers whole.
    {
      match: { lastUserMessage: 'Message: ' },
      reply: { text: 'A first attempt that the connection cuts in the middle of its text.', truncated: true },
      times: 1,
    },
    { match: { lastUserMessage: 'Message: ' }, reply: { text: answer, chunkDelayMs: 30 } },
  ],
};

void describe('reply streams: a turn reaches its reader as the model writes it', () => {
  const testbed = useAgentTestbed();

  for (const model of ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5'] as const)
    void it(`streams ${model}'s drafts, drops the broken attempt's, and ends on the decided reply`, async () => {
      testbed.fake.setScript(script);
      const { client } = testbed.temporal.env;
      const handle = await client.workflow.start<typeof customerServiceWorkflow>('customerServiceWorkflow', {
        args: [{ model, retry: quickRetry, config, customer: { id: 'C-1001' } }],
        taskQueue: testbed.worker.taskQueue,
        workflowId: `session-stream-${crypto.randomUUID()}`,
        workflowExecutionTimeout: '5 minutes',
      });
      const from = await replyStreamOffset(client, handle.workflowId);
      const messageId = 'message-1';
      const events: ReplyStreamEvent[] = [];
      const shown: string[] = [];
      const reading = (async () => {
        const views = new ReplyViews();
        for await (const { event } of followReplies(client, handle.workflowId, from)) {
          events.push(event);
          const view = views.apply(event);
          if (view) shown.push(view.text);
          if (event.type === 'reply' && event.key === messageId) return view;
        }
        return undefined;
      })();
      const reply = await handle.executeUpdate(sendMessageUpdate, {
        args: [{ text: 'Why does my router restart at night?' }],
        updateId: messageId,
      });
      const final = await reading;
      assert.equal(reply.outcome, 'answered');
      assert.equal(reply.reply, answer);
      assert.deepEqual(final, { key: messageId, text: answer, state: 'final', outcome: 'answered' });

      // Both attempts streamed: the broken one's half, then the retry's pieces, 150 ms of them a draft.
      const drafts = events.filter((event) => event.type === 'draft');
      const attempts = new Set(drafts.map((event) => event.attempt));
      assert.deepEqual([...attempts], [1, 2]);
      assert.ok(drafts.filter((event) => event.attempt === 2).length >= 2, 'the answer came in pieces');
      assert.equal(
        drafts
          .filter((event) => event.attempt === 2)
          .map((event) => event.text)
          .join(''),
        answer,
      );
      // What the reader showed: the first attempt's text grows, then starts again, and from then on
      // is always the start of the answer: never the two attempts mixed, never a piece twice.
      const restart = shown.findIndex((text) => answer.startsWith(text) && text !== '');
      assert.ok(restart > 0, 'the first attempt was shown before the retry');
      for (const text of shown.slice(restart)) assert.ok(answer.startsWith(text), `shown: ${text}`);
      assert.equal(shown.at(-1), answer);

      await handle.executeUpdate(closeSessionUpdate, { args: [{}] });
      await handle.result();
    });
});
