import { z } from 'zod';
import { ChatRequestSchema, type ChatRequest } from '../../common/chat.js';

/** A plan as a caller would define it: a zod schema, sent as its JSON Schema. */
export const PlanSchema = z.object({
  goal: z.string(),
  steps: z.array(z.object({ tool: z.string(), input: z.string() })),
});

/** What `z.toJSONSchema` makes of `PlanSchema`, `$schema` included, as a caller would pass it. */
export const planJsonSchema = z.toJSONSchema(PlanSchema) as Record<string, unknown>;

const { $schema: _dialect, ...withoutDialect } = planJsonSchema;
/** The same schema without the `$schema` dialect marker, which the adapters do not send. */
export const planWireSchema: Record<string, unknown> = withoutDialect;

export const planRequest: ChatRequest = ChatRequestSchema.parse({
  messages: [
    { role: 'system', content: 'You plan.' },
    { role: 'user', content: 'Plan: what is 6 * 7?' },
  ],
  responseFormat: { name: 'plan', description: 'The steps to take.', schema: planJsonSchema },
});

export const plan: z.infer<typeof PlanSchema> = {
  goal: 'multiply',
  steps: [{ tool: 'calculator', input: '6*7' }],
};
