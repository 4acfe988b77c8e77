import { z } from 'zod';

/** The key of a blob: `sha256:` and the hex SHA-256 of its UTF-8 bytes. */
export const BlobKeySchema = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'a blob key is sha256:<64 hex digits>');

/**
 * A reference to a text in the content-addressed blob store: the SHA-256 of its UTF-8 bytes and
 * its size. Workflows hold these instead of document texts.
 */
export type BlobRef = { key: `sha256:${string}`; bytes: number };
