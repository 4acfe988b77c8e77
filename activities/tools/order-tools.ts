import { z } from 'zod';
import { warrantyOf, type OrdersDatabase } from '../orders/orders-database.js';
import { settled } from '../llm/shared-sqlite.js';
import { defineTool, ToolInputError } from './tool.js';

const OrderIdSchema = z.string().trim().min(3).max(40).describe('The order number, e.g. BL-26040');

/**
 * `order_status` and `check_warranty` over the company's orders database (LLMOS_ORDERS_DATABASE).
 * Read only, so a retry is free; an unknown order number is the model's to correct, and so is
 * another customer's, for a run that acts for a customer (`ToolContext.customer`). `today`
 * gives the day the warranty is judged on (the activity's clock, recorded with its result).
 */
export function createOrderTools(
  orders: OrdersDatabase,
  today: () => string = () => new Date().toISOString().slice(0, 10),
) {
  // For a run that acts for a customer, another customer's order is no order at all.
  const find = (id: string, customer: string | undefined) => {
    const order = orders.order(id);
    if (!order || (customer !== undefined && order.customerId !== customer))
      throw new ToolInputError(
        `no order ${id}${customer === undefined ? '' : ` for customer ${customer}`}: order numbers look like BL-26040`,
      );
    return order;
  };
  const orderStatus = defineTool({
    name: 'order_status',
    description:
      'Looks up an order: what was ordered, its status, when it shipped and arrived, and its tracking number.',
    inputSchema: z.object({ orderId: OrderIdSchema }),
    execute: ({ orderId }, context) =>
      settled(() => {
        const order = find(orderId, context.customer);
        const lines = [
          `Order ${order.id}: ${order.quantity} x ${order.product}, ordered ${order.orderedOn}, ${order.status}.`,
          ...(order.shippedOn
            ? [`Shipped ${order.shippedOn} with ${order.carrier}, tracking ${order.tracking}.`]
            : []),
          ...(order.deliveredOn ? [`Delivered ${order.deliveredOn}.`] : []),
        ];
        return lines.join(' ');
      }),
  });
  const checkWarranty = defineTool({
    name: 'check_warranty',
    description: 'Says whether an order is under warranty today, and until when.',
    inputSchema: z.object({ orderId: OrderIdSchema }),
    execute: ({ orderId }, context) =>
      settled(() => {
        const order = find(orderId, context.customer);
        const warranty = warrantyOf(order, today());
        return `${order.product} of order ${order.id}: ${warranty.covered ? `under warranty until ${warranty.until}` : 'not under warranty'} (${warranty.reason}).`;
      }),
  });
  return [orderStatus, checkWarranty];
}
