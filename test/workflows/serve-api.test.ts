import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createServeApp } from '../../client/serve/serve-app.js';
import { closeSession } from '../../client/customer-service.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { quickRetry } from './agent-harness.js';

// `llmos serve`'s JSON API in process (Hono's own request), over a real Temporal server and worker.

const config = {
  name: 'serve-api',
  version: '1',
  role: 'You are the support agent of a test company.',
  tone: 'Brief.',
  knowledgeBase: 'help',
  tools: [],
  review: { threshold: 0.5 },
};

void describe('llmos serve: the API behind the pages', () => {
  const testbed = useAgentTestbed();
  const app = () =>
    createServeApp(testbed.temporal.env.client, {
      session: { model: 'openai:gpt-4o-mini', retry: quickRetry, config },
      taskQueue: testbed.worker.taskQueue,
      customerHeader: 'x-customer',
      inboxToken: 'secret-token',
    });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app().request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  void it('starts a session for the signed-in customer, answers only them, and refuses bad input by name', async () => {
    testbed.fake.setScript({
      rules: [
        {
          match: { responseFormat: '^message_assessment$' },
          reply: { json: { sentiment: 0, priority: 'normal', product: null, wantsHuman: false } },
        },
        { match: { responseFormat: '^reply_review$' }, reply: { json: { score: 0.9, problems: [] } } },
        { match: { lastUserMessage: 'Message: ' }, reply: { text: 'Happy to help.' } },
      ],
    });
    const anonymous = await post('/api/sessions', { customer: { id: 'C-1001' } });
    assert.equal(anonymous.status, 401);
    assert.match(((await anonymous.json()) as { error: string }).error, /no x-customer header/);

    const started = await post('/api/sessions', {}, { 'x-customer': 'C-1001' });
    assert.equal(started.status, 201);
    const { sessionId } = (await started.json()) as { sessionId: string };
    try {
      const someoneElse = await post(
        `/api/sessions/${sessionId}/messages`,
        { text: 'hi' },
        { 'x-customer': 'C-2' },
      );
      assert.equal(someoneElse.status, 404);

      const answered = await post(
        `/api/sessions/${sessionId}/messages`,
        { text: 'Hello there', messageId: 'm-1' },
        { 'x-customer': 'C-1001' },
      );
      assert.equal(answered.status, 200);
      assert.deepEqual(
        await answered.json().then((reply) => {
          const {
            reply: text,
            outcome,
            messageId,
          } = reply as { reply: string; outcome: string; messageId: string };
          return { text, outcome, messageId };
        }),
        { text: 'Happy to help.', outcome: 'answered', messageId: 'm-1' },
      );

      const notJson = await post(`/api/sessions/${sessionId}/messages`, '{ nope', { 'x-customer': 'C-1001' });
      assert.deepEqual([notJson.status, await notJson.json()], [400, { error: 'the body is not JSON' }]);
      const empty = await post(
        `/api/sessions/${sessionId}/messages`,
        { text: ' ' },
        { 'x-customer': 'C-1001' },
      );
      assert.equal(empty.status, 409);
      assert.match(((await empty.json()) as { error: string }).error, /the message is empty/);
    } finally {
      await closeSession(testbed.temporal.env.client, sessionId);
    }
  });

  void it('keeps the inbox behind its token', async () => {
    assert.equal((await app().request('/api/inbox/waiting')).status, 401);
    const waiting = await app().request('/api/inbox/waiting', {
      headers: { authorization: 'Bearer secret-token' },
    });
    assert.equal(waiting.status, 200);
    assert.deepEqual(Object.keys((await waiting.json()) as object), ['approvals', 'handoffs', 'tickets']);
    const unknown = await app().request('/api/inbox/approvals/call-x/approve', {
      method: 'POST',
      headers: { authorization: 'Bearer secret-token', 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(unknown.status, 404);
  });
});
