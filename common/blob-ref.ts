/**
 * A reference to a text in the content-addressed blob store: the SHA-256 of its UTF-8 bytes and
 * its size. Workflows hold these instead of document texts.
 */
export type BlobRef = { key: `sha256:${string}`; bytes: number };
