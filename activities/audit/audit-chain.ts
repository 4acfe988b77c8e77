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

/** The records an append adds after `tail`: each entry not recorded yet (nor twice in one batch), linked to the one before. */
export function linkEntries(
  tail: { seq: number; hash: string } | undefined,
  entries: readonly AuditEntry[],
  isRecorded: (key: string) => boolean,
  at: string,
): AuditRecord[] {
  const records: AuditRecord[] = [];
  const added = new Set<string>();
  let seq = tail?.seq ?? 0;
  let prevHash = tail?.hash ?? genesisHash;
  for (const entry of entries) {
    if (added.has(entry.key) || isRecorded(entry.key)) continue;
    added.add(entry.key);
    seq += 1;
    const hash = recordHash(prevHash, { ...entry, seq, at });
    records.push({ ...entry, seq, at, prevHash, hash });
    prevHash = hash;
  }
  return records;
}

/** A record as both stores' INSERT takes it, in column order. */
export function insertValues(record: AuditRecord): (string | number)[] {
  const { seq, at, key, workflowId, runId, kind, detail, prevHash, hash } = record;
  return [seq, at, key, workflowId, runId, kind, JSON.stringify(detail), prevHash, hash];
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
