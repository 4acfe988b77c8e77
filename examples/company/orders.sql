-- Orders of Brightline, the example company of the customer-service examples: a maker of home
-- routers and mesh points. Written for this project; the names, e-mail addresses (example.com,
-- reserved for examples) and orders are made up.
CREATE TABLE products (
  sku TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  warranty_months INTEGER NOT NULL
);
CREATE TABLE customers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE
);
CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers (id),
  sku TEXT NOT NULL REFERENCES products (sku),
  quantity INTEGER NOT NULL DEFAULT 1,
  ordered_on TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('processing', 'shipped', 'delivered', 'returned', 'cancelled')),
  shipped_on TEXT,
  delivered_on TEXT,
  carrier TEXT,
  tracking TEXT
);

INSERT INTO products (sku, name, warranty_months) VALUES
  ('BL-R1', 'Brightline R1 router', 24),
  ('BL-R2', 'Brightline R2 Wi-Fi 6 router', 24),
  ('BL-M1', 'Brightline M1 mesh point', 12),
  ('BL-M3', 'Brightline M3 mesh kit (three points)', 12),
  ('BL-PS', 'Brightline 12 V power supply', 6);

INSERT INTO customers (id, name, email) VALUES
  ('C-1001', 'Jane Roe', 'jane.roe@example.com'),
  ('C-1002', 'Mia Rossi', 'mia.rossi@example.com'),
  ('C-1003', 'Lukas Weber', 'lukas.weber@example.com'),
  ('C-1004', 'Amélie Martin', 'amelie.martin@example.com'),
  ('C-1005', 'Carlos Ruiz', 'carlos.ruiz@example.com'),
  ('C-1006', 'Sam Lee', 'sam.lee@example.com');

INSERT INTO orders (id, customer_id, sku, quantity, ordered_on, status, shipped_on, delivered_on, carrier, tracking) VALUES
  ('BL-24001', 'C-1001', 'BL-R1', 1, '2024-03-02', 'delivered', '2024-03-04', '2024-03-06', 'DHL', '00340434161094042557'),
  ('BL-24017', 'C-1002', 'BL-M3', 1, '2024-06-18', 'delivered', '2024-06-19', '2024-06-21', 'UPS', '1Z999AA10123456784'),
  ('BL-24052', 'C-1003', 'BL-R2', 1, '2024-11-29', 'delivered', '2024-12-02', '2024-12-04', 'DHL', '00340434161094042601'),
  ('BL-25008', 'C-1004', 'BL-M1', 2, '2025-01-15', 'returned', '2025-01-16', '2025-01-18', 'Colissimo', '6A12345678901'),
  ('BL-25033', 'C-1005', 'BL-PS', 1, '2025-05-07', 'delivered', '2025-05-08', '2025-05-10', 'DHL', '00340434161094042733'),
  ('BL-25061', 'C-1001', 'BL-M1', 1, '2025-09-22', 'delivered', '2025-09-23', '2025-09-25', 'DHL', '00340434161094042790'),
  ('BL-26004', 'C-1006', 'BL-R2', 1, '2026-01-10', 'delivered', '2026-01-12', '2026-01-14', 'UPS', '1Z999AA10123456790'),
  ('BL-26040', 'C-1002', 'BL-PS', 1, '2026-11-20', 'shipped', '2026-11-23', NULL, 'UPS', '1Z999AA10123456799'),
  ('BL-26044', 'C-1003', 'BL-M3', 1, '2026-11-28', 'processing', NULL, NULL, NULL, NULL),
  ('BL-26045', 'C-1005', 'BL-R1', 1, '2026-11-30', 'cancelled', NULL, NULL, NULL, NULL);
