import { createHash } from 'node:crypto';
import type { BlobRef } from '../../common/blob-ref.js';

const keyPattern = /^sha256:([0-9a-f]{64})$/;

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A text's bytes and its reference: the SHA-256 of its UTF-8 bytes, and their count. */
export function blobOf(text: string): { data: Buffer; hex: string; ref: BlobRef } {
  const data = Buffer.from(text, 'utf8');
  const hex = sha256Hex(data);
  return { data, hex, ref: { key: `sha256:${hex}`, bytes: data.length } };
}

/** The hex digest a reference (or bare key) names. @throws Error for anything but `sha256:<64 hex>`. */
export function hexOf(ref: BlobRef | string): string {
  const key = typeof ref === 'string' ? ref : ref.key;
  const hex = keyPattern.exec(key)?.[1];
  if (hex === undefined)
    throw new Error(`not a blob key: ${JSON.stringify(key)} (expected sha256:<64 hex digits>)`);
  return hex;
}

/**
 * The text of bytes read back for `hex`, after proving they are the bytes that were written.
 * @throws Error naming the blob and `location` when they hash to something else.
 */
export function verifiedText(hex: string, data: Buffer, location: string): string {
  const actual = sha256Hex(data);
  if (actual !== hex)
    throw new Error(`blob sha256:${hex} in ${location} is corrupt: its content hashes to sha256:${actual}`);
  return data.toString('utf8');
}
