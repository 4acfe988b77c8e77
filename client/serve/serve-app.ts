/**
 * `llmos serve`'s HTTP app (Hono): a chat page for customers and an inbox page for the people who
 * answer them, over the client library. Customers start a session, send messages (each the
 * session's Update) and read the replies as server-sent events while they are written. The inbox
 * lists the tool calls waiting for approval, the sessions handed to people, and the tickets, and
 * lets a person decide, reply and give a session back. Nothing here holds state: Temporal does.
 */
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { CustomerSchema, type CustomerServiceRequest } from '../../common/customer-service.js';
import {
  MessageRefusedError,
  sendMessage,
  sessionState,
  startSession,
  withRestoredReply,
} from '../customer-service.js';
import { NoSuchApprovalError } from '../approvals.js';
import { registerInboxRoutes } from './inbox-routes.js';
import { bodyOf } from './json-body.js';
import { replyEvents } from './reply-events.js';

export interface ServeOptions {
  /** The request every new session starts from (model, tenant); the customer is the page's. */
  session: Omit<CustomerServiceRequest, 'customer'>;
  taskQueue?: string | undefined;
  /**
   * Where the customer's id comes from: this request header, set by the proxy that signed the
   * customer in. Unset, the page says who the customer is: for demos on a trusted network only.
   */
  customerHeader?: string | undefined;
  /** The bearer token the inbox's API asks for; unset, the inbox is open (loopback only). */
  inboxToken?: string | undefined;
}

const page = (name: string) => readFileSync(new URL(`./pages/${name}`, import.meta.url), 'utf8');

const MessageBodySchema = z.object({
  text: z.string(),
  /** The page's id for the message: a retry with the same id gets the same reply, never a second turn. */
  messageId: z.string().trim().min(1).max(200).optional(),
});

export function createServeApp(client: Client, options: ServeOptions): Hono {
  const app = new Hono();
  const chatPage = page('chat.html');
  const inboxPage = page('inbox.html');
  const commonStyle = page('common.css');
  app.onError((error, c) => {
    if (error instanceof HTTPException) return c.json({ error: error.message }, error.status);
    if (error instanceof MessageRefusedError) return c.json({ error: error.message }, 409);
    if (error instanceof NoSuchApprovalError) return c.json({ error: error.message }, 404);
    console.error(error);
    return c.json({ error: 'the server failed; see its log' }, 500);
  });
  app.get('/', (c) => c.html(chatPage));
  app.get('/inbox', (c) => c.html(inboxPage));
  app.get('/common.css', (c) => c.body(commonStyle, 200, { 'content-type': 'text/css; charset=utf-8' }));

  app.post('/api/sessions', async (c) => {
    const { customer } = await bodyOf(c, z.object({ customer: CustomerSchema.partial().default({}) }));
    const id = options.customerHeader ? c.req.header(options.customerHeader) : customer.id;
    if (!id)
      throw new HTTPException(options.customerHeader ? 401 : 400, {
        message: options.customerHeader
          ? `no ${options.customerHeader} header: sign in first`
          : 'say who the customer is',
      });
    const handle = await startSession(
      client,
      { ...options.session, customer: { id, ...(customer.name ? { name: customer.name } : {}) } },
      options.taskQueue ? { taskQueue: options.taskQueue } : {},
    );
    return c.json({ sessionId: handle.workflowId }, 201);
  });
  // Behind a sign-in proxy, a customer reaches only their own sessions.
  if (options.customerHeader) {
    const header = options.customerHeader;
    app.use('/api/sessions/:id/*', async (c, next) => {
      const state = await sessionState(client, c.req.param('id')).catch(() => undefined);
      if (!state || state.customer.id !== c.req.header(header))
        throw new HTTPException(404, { message: `no session ${c.req.param('id')} of yours` });
      await next();
    });
  }
  app.post('/api/sessions/:id/messages', async (c) => {
    const { text, messageId } = await bodyOf(c, MessageBodySchema);
    const reply = await sendMessage(client, c.req.param('id'), text, messageId ? { messageId } : {});
    return c.json(await withRestoredReply(reply));
  });
  app.get('/api/sessions/:id/events', (c) => replyEvents(client, c, c.req.param('id')));
  registerInboxRoutes(app, client, options.inboxToken);
  return app;
}
