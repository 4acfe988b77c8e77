-- Comments the SQLite original cannot carry, so PostgreSQL introspection has some to read.
COMMENT ON TABLE "Track" IS 'One song or video; prices are in US dollars.';
COMMENT ON COLUMN "Track"."Milliseconds" IS 'Length of the track in milliseconds.';
COMMENT ON COLUMN "Track"."Bytes" IS 'File size in bytes.';
COMMENT ON COLUMN "Invoice"."Total" IS 'Invoice total in US dollars.';
