/** Support tickets: what the `create_ticket` tool opens and `llmos tickets` lists. Sandbox-safe: schemas and types. */
import { z } from 'zod';

export const TicketPrioritySchema = z.enum(['low', 'normal', 'high', 'urgent']);
export type TicketPriority = z.infer<typeof TicketPrioritySchema>;

/** A ticket as an agent asks for it. */
export const NewTicketSchema = z.object({
  subject: z.string().trim().min(3).max(200),
  description: z.string().trim().min(1).max(10_000),
  priority: TicketPrioritySchema.default('normal'),
  /** Who it is for: an e-mail address, a customer number, or a placeholder such as <EMAIL_1>. */
  customer: z.string().trim().min(1).max(200).optional(),
});
export type NewTicket = z.output<typeof NewTicketSchema>;

export interface Ticket extends NewTicket {
  /** `T-` and its number, e.g. `T-1001`: what the customer and the agent are told. */
  id: string;
  status: 'open' | 'closed';
  /** ISO time it was opened. */
  createdAt: string;
  /** The run that opened it, and the key that makes opening it again a no-op. */
  workflowId: string;
  idempotencyKey: string;
}

/** `T-1001` from the store's number, and back. */
export const ticketId = (number: number): string => `T-${number}`;
