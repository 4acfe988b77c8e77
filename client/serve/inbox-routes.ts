import { timingSafeEqual } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { z } from 'zod';
import { PersonReplySchema, ReturnToAgentRequestSchema } from '../../common/customer-service.js';
import { decideToolCall, listPendingApprovals } from '../approvals.js';
import { giveBackToAgent, listHandoffs, replyAsPerson, sessionState } from '../customer-service.js';
import { bodyOf } from './json-body.js';

const DecisionBodySchema = z.object({
  by: z.string().trim().min(1).max(100).optional(),
  reason: z.string().trim().max(1_000).optional(),
});

/**
 * The inbox's API, for the people who answer customers: what waits for them (approvals, hand-offs,
 * the newest tickets) and their answers. Behind a bearer token when one is set.
 */
export function registerInboxRoutes(app: Hono, client: Client, token: string | undefined): void {
  if (token)
    app.use(
      '/api/inbox/*',
      bearerAuth({
        verifyToken: (given) => {
          const [a, b] = [Buffer.from(given), Buffer.from(token)];
          return Promise.resolve(a.length === b.length && timingSafeEqual(a, b));
        },
      }),
    );
  app.get('/api/inbox/waiting', async (c) => {
    const [approvals, handoffs, tickets] = await Promise.all([
      listPendingApprovals(client),
      listHandoffs(client),
      newestTickets(),
    ]);
    return c.json({ approvals, handoffs, tickets });
  });
  app.get('/api/inbox/sessions/:id', async (c) => c.json(await sessionState(client, c.req.param('id'))));
  app.post('/api/inbox/sessions/:id/reply', async (c) => {
    const reply = await bodyOf(c, PersonReplySchema);
    return c.json(await replyAsPerson(client, c.req.param('id'), reply));
  });
  app.post('/api/inbox/sessions/:id/return', async (c) => {
    const { by } = await bodyOf(c, ReturnToAgentRequestSchema);
    return c.json(await giveBackToAgent(client, c.req.param('id'), by));
  });
  for (const decision of ['approve', 'decline'] as const)
    app.post(`/api/inbox/approvals/:id/${decision}`, async (c) => {
      const { by, reason } = await bodyOf(c, DecisionBodySchema);
      const decided = await decideToolCall(client, decision, {
        toolCallId: c.req.param('id'),
        ...(by ? { by } : {}),
        ...(reason ? { reason } : {}),
      });
      return c.json(decided);
    });
}

/** The newest tickets of the store the workers use. */
async function newestTickets() {
  const { openWorkerTickets } = await import('../../workers/local-tools/tickets.js');
  const { store } = openWorkerTickets();
  try {
    return await store.list({ limit: 20 });
  } finally {
    await store.close();
  }
}
