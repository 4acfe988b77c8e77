import { createHash } from 'node:crypto';
import type { AuditEntry, AuditRecord } from '../../common/audit.js';

export const genesisHash = '0'.repeat(64);

/** JSON with object keys sorted at every level: one text for one value, whatever the key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The hash of a record: the previous hash and every field of the record but its own hash. */
export function recordHash(prevHash: string, record: AuditEntry & { seq: number; at: string }): string {
  const { key, workflowId, runId, kind, detail, seq, at } = record;
  return createHash('sha256')
    .update(prevHash)
    .update(canonicalJson({ key, workflowId, runId, kind, detail, seq, at }))
    .digest('hex');
}

export type ChainVerdict =
  { ok: true; records: number } | { ok: false; records: number; seq: number; problem: string };

/**
 * Checks a chain read in `seq` order: each record's hash is the hash of its fields, and each
 * links to the one before. The first record may link to a pruned one (retention): its
 * `prevHash` is taken as given.
 */
export function verifyChain(records: readonly AuditRecord[]): ChainVerdict {
  for (let index = 0; index < records.length; index += 1) {
    const record = records[index]!;
    const previous = records[index - 1];
    if (previous && record.seq !== previous.seq + 1) {
      return {
        ok: false,
        records: records.length,
        seq: record.seq,
        problem: `record ${previous.seq + 1} is missing`,
      };
    }
    if (previous && record.prevHash !== previous.hash) {
      return {
        ok: false,
        records: records.length,
        seq: record.seq,
        problem: 'it does not link to the record before it',
      };
    }
    if (recordHash(record.prevHash, record) !== record.hash) {
      return {
        ok: false,
        records: records.length,
        seq: record.seq,
        problem: 'its contents do not match its hash',
      };
    }
  }
  return { ok: true, records: records.length };
}
