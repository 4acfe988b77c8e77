import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openOrdersDatabase, warrantyOf } from '../../activities/orders/orders-database.js';
import { createOrderTools } from '../../activities/tools/order-tools.js';
import { ToolInputError } from '../../activities/tools/tool.js';
import { projectRoot } from '../../workers/project-root.js';

const orders = openOrdersDatabase(path.join(projectRoot, 'examples/company/orders.sql'));
after(() => orders.close());
const [orderStatus, checkWarranty] = createOrderTools(orders, () => '2026-12-07');
const context = {
  signal: new AbortController().signal,
  idempotencyKey: 'a/1',
  boundary: '0123456789ab',
  spend: () => {},
};
const call = (tool: typeof orderStatus, orderId: string) =>
  tool!.execute(tool!.inputSchema.parse({ orderId }), context);

void describe('the example company orders, through order_status and check_warranty', () => {
  void it('tells an order status, shipping and tracking, whatever the case of its number', async () => {
    assert.equal(
      await call(orderStatus, 'bl-26040'),
      'Order BL-26040: 1 x Brightline 12 V power supply, ordered 2026-11-20, shipped. Shipped 2026-11-23 with UPS, tracking 1Z999AA10123456799.',
    );
    assert.equal(
      await call(orderStatus, 'BL-26044'),
      'Order BL-26044: 1 x Brightline M3 mesh kit (three points), ordered 2026-11-28, processing.',
    );
    await assert.rejects(
      call(orderStatus, 'BL-99999'),
      (error: Error) => error instanceof ToolInputError && /no order BL-99999/.test(error.message),
    );
  });

  void it('counts the warranty from delivery, for the product months, and says why it does not cover', async () => {
    assert.equal(
      await call(checkWarranty, 'BL-26004'),
      'Brightline R2 Wi-Fi 6 router of order BL-26004: under warranty until 2028-01-13 (24 months from delivery on 2026-01-14).',
    );
    assert.match(
      await call(checkWarranty, 'BL-24001'),
      /not under warranty \(the 24-month warranty ended on 2026-03-05\)/,
    );
    assert.match(await call(checkWarranty, 'BL-25008'), /not under warranty \(the product was returned\)/);
    assert.match(await call(checkWarranty, 'BL-26040'), /the warranty starts on delivery/);
    const delivered = orders.order('BL-25061')!;
    assert.equal(warrantyOf(delivered, '2026-09-24').covered, true, 'the last day is covered');
    assert.equal(warrantyOf(delivered, '2026-09-25').covered, false);
  });

  void it("answers a run acting for a customer about that customer's orders only", async () => {
    const forJane = { ...context, customer: 'C-1001' };
    assert.match(
      await orderStatus!.execute({ orderId: 'BL-25061' }, forJane),
      /^Order BL-25061: 1 x Brightline M1/,
    );
    // Mia's order does not exist for Jane: she learns nothing of it, not even that it exists.
    for (const tool of [orderStatus!, checkWarranty!])
      await assert.rejects(
        tool.execute({ orderId: 'BL-26040' }, forJane),
        (error: Error) =>
          error instanceof ToolInputError &&
          error.message.startsWith('no order BL-26040 for customer C-1001'),
      );
  });
});
