/**
 * The shop's own tools. `lookup_order` only reads; `issue_refund` pays money back, so it has side
 * effects: llmos tries it once, and it passes the idempotency key on, so a repeated call (after a
 * crash, say) refunds nothing twice.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { defineTool, ToolInputError } from 'llmos';
import { z } from 'zod';

const orders = new Map([
  ['BL-1001', { item: 'Brightline AX3 router', totalUsd: 129, status: 'delivered 2026-11-28' }],
  ['BL-1002', { item: 'Brightline mesh node', totalUsd: 89, status: 'in transit' }],
]);

export const lookupOrder = defineTool({
  name: 'lookup_order',
  description: 'Looks up an order by its id (BL- and four digits): what it is, what it cost, where it is.',
  inputSchema: z.object({ orderId: z.string().regex(/^BL-\d{4}$/) }),
  execute({ orderId }) {
    const order = orders.get(orderId);
    if (!order) throw new ToolInputError(`there is no order ${orderId}`);
    return Promise.resolve(`${orderId}: ${order.item}, $${order.totalUsd}, ${order.status}`);
  },
});

/** Where refunds are recorded, one JSON line each: the shop's payment system, in this example. */
const refundsFile = process.env.REFUNDS_FILE ?? 'refunds.jsonl';

export const issueRefund = defineTool({
  name: 'issue_refund',
  description: 'Refunds an order, in full or in part. Returns the refund id.',
  inputSchema: z.object({ orderId: z.string().regex(/^BL-\d{4}$/), amountUsd: z.number().positive() }),
  sideEffects: true,
  timeoutMs: 10_000,
  execute({ orderId, amountUsd }, { idempotencyKey }) {
    const order = orders.get(orderId);
    if (!order) throw new ToolInputError(`there is no order ${orderId}`);
    if (amountUsd > order.totalUsd) throw new ToolInputError(`${orderId} cost only $${order.totalUsd}`);
    const done = existsSync(refundsFile)
      ? readFileSync(refundsFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { key: string; id: string })
          .find((refund) => refund.key === idempotencyKey)
      : undefined;
    if (done) return Promise.resolve(`already refunded: ${done.id}`);
    const id = `R-${orderId.slice(3)}-${Date.now().toString(36)}`;
    appendFileSync(refundsFile, `${JSON.stringify({ key: idempotencyKey, id, orderId, amountUsd })}\n`);
    return Promise.resolve(`refunded $${amountUsd.toFixed(2)} for ${orderId}: ${id}`);
  },
});
