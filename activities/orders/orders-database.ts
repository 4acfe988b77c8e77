import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';

export interface OrderRecord {
  id: string;
  customerId: string;
  product: string;
  sku: string;
  quantity: number;
  orderedOn: string;
  status: 'processing' | 'shipped' | 'delivered' | 'returned' | 'cancelled';
  shippedOn: string | null;
  deliveredOn: string | null;
  carrier: string | null;
  tracking: string | null;
  warrantyMonths: number;
}

/** An order's warranty on a given day: from delivery (or the order day, before delivery) for the product's months. */
export interface WarrantyStatus {
  covered: boolean;
  /** The last day it covers, `YYYY-MM-DD`; null for an order that was never delivered. */
  until: string | null;
  reason: string;
}

/** The orders the `order_status` and `check_warranty` tools read. Read only. */
export interface OrdersDatabase {
  order(id: string): OrderRecord | undefined;
  close(): void;
}

/**
 * The orders database: a SQLite file opened read only, or a `.sql` script (the example company's,
 * `examples/company/orders.sql`) loaded into memory.
 */
export function openOrdersDatabase(file: string): OrdersDatabase {
  const db = file.endsWith('.sql')
    ? new Database(':memory:')
    : new Database(file, { readonly: true, fileMustExist: true });
  if (file.endsWith('.sql')) db.exec(readFileSync(file, 'utf8'));
  const select = db.prepare<[string], OrderRecord>(
    `SELECT o.id, o.customer_id AS customerId, p.name AS product, o.sku, o.quantity, o.ordered_on AS orderedOn, o.status,
            o.shipped_on AS shippedOn, o.delivered_on AS deliveredOn, o.carrier, o.tracking,
            p.warranty_months AS warrantyMonths
       FROM orders o JOIN products p ON p.sku = o.sku WHERE o.id = ? COLLATE NOCASE`,
  );
  return { order: (id) => select.get(id.trim()), close: () => void db.close() };
}

/** The warranty of `order` on `today` (`YYYY-MM-DD`). Pure. */
export function warrantyOf(order: OrderRecord, today: string): WarrantyStatus {
  if (order.status === 'cancelled') return { covered: false, until: null, reason: 'the order was cancelled' };
  if (order.status === 'returned') return { covered: false, until: null, reason: 'the product was returned' };
  if (!order.deliveredOn)
    return {
      covered: false,
      until: null,
      reason: 'the product has not been delivered yet: the warranty starts on delivery',
    };
  const end = new Date(`${order.deliveredOn}T00:00:00Z`);
  end.setUTCMonth(end.getUTCMonth() + order.warrantyMonths);
  end.setUTCDate(end.getUTCDate() - 1);
  const until = end.toISOString().slice(0, 10);
  return today <= until
    ? { covered: true, until, reason: `${order.warrantyMonths} months from delivery on ${order.deliveredOn}` }
    : { covered: false, until, reason: `the ${order.warrantyMonths}-month warranty ended on ${until}` };
}
