import { NewTicketSchema } from '../../common/tickets.js';
import type { TicketStore } from '../tickets/ticket-store.js';
import { defineTool } from './tool.js';

/**
 * Opens a support ticket in the worker's ticket store. Exactly once per tool call: the call's
 * idempotency key (its workflow and activity ids, the same on every retry) is the ticket's, so an
 * attempt retried after the ticket was stored (a crash before the result reached Temporal)
 * finds that ticket and opens no other.
 */
export function createTicketTool(store: TicketStore) {
  return defineTool({
    name: 'create_ticket',
    // Repeats of a call carry the same idempotency key, and the store drops them: retrying is safe.
    sideEffects: true,
    retry: { maximumAttempts: 3 },
    description:
      'Opens a support ticket for a person to follow up, and returns its id (e.g. T-1001) to tell the customer. Open one per problem.',
    // The person who follows up needs the customer's real contact, not the run's placeholder.
    personalData: true,
    inputSchema: NewTicketSchema.extend({
      subject: NewTicketSchema.shape.subject.describe('One line: what the problem is'),
      description: NewTicketSchema.shape.description.describe('What the customer said and what was tried'),
      priority: NewTicketSchema.shape.priority.describe('low, normal, high or urgent'),
      customer: NewTicketSchema.shape.customer.describe('Who it is for: their e-mail or customer number'),
    }),
    async execute(ticket, context) {
      const { ticket: opened, created } = await store.open(ticket, {
        idempotencyKey: context.idempotencyKey,
        workflowId: context.workflowId ?? 'standalone',
      });
      return `${created ? 'Opened' : 'Already opened'} ticket ${opened.id} (${opened.priority} priority): ${opened.subject}`;
    },
  });
}
