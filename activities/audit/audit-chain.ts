import { createHash } from 'node:crypto';
import type { AuditEntry, AuditRecord } from '../../common/audit.js';
import { coveredBy, type RetentionScope } from './retention-scope.js';

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

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The digest of a record's detail: what its hash covers, so the detail may go and the chain stay whole. */
export const detailDigest = (detail: AuditEntry['detail']): string => sha256(canonicalJson(detail));

/**
 * The hash of a record: the previous hash and every field of the record but its own hash, with
 * the detail's digest in place of the detail. A record written before digests existed is hashed
 * over its detail, as it was then.
 */
export function recordHash(
  prevHash: string,
  record: AuditEntry & { seq: number; at: string; detailSha256?: string | undefined },
): string {
  const { key, workflowId, runId, kind, seq, at, tenant, detailSha256 } = record;
  const fields =
    detailSha256 === undefined
      ? { key, workflowId, runId, kind, detail: record.detail, seq, at }
      : { key, workflowId, runId, kind, detailSha256, seq, at, tenant };
  return createHash('sha256').update(prevHash).update(canonicalJson(fields)).digest('hex');
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
    const detailSha256 = detailDigest(entry.detail);
    const hash = recordHash(prevHash, { ...entry, seq, at, detailSha256 });
    records.push({ ...entry, seq, at, prevHash, hash, detailSha256 });
    prevHash = hash;
  }
  return records;
}

/** A record as both stores' INSERT takes it, in column order (`insertColumns`). */
export function insertValues(record: AuditRecord): (string | number | null)[] {
  const { seq, at, key, workflowId, runId, kind, detail, prevHash, hash } = record;
  return [
    seq,
    at,
    key,
    workflowId,
    runId,
    kind,
    JSON.stringify(detail),
    prevHash,
    hash,
    record.tenant ?? null,
    record.detailSha256 ?? null,
  ];
}

export const insertColumns =
  'seq, at, key, workflow_id, run_id, kind, detail, prev_hash, hash, tenant, detail_sha256';

export type ChainVerdict =
  { ok: true; records: number } | { ok: false; records: number; seq: number; problem: string };

/**
 * Checks a chain read in `seq` order: each record's hash is the hash of its fields, each links to
 * the one before, each detail matches its digest, and each emptied detail was emptied by a
 * retention pass recorded later in the chain whose scope covers it. The first record may link
 * to a removed one: its `prevHash` is taken as given.
 */
export function verifyChain(records: readonly AuditRecord[]): ChainVerdict {
  const broken = (seq: number, problem: string): ChainVerdict => ({
    ok: false,
    records: records.length,
    seq,
    problem,
  });
  const retentions = records
    .filter((record) => record.kind === 'retention' && !record.prunedAt)
    .map((record) => ({ seq: record.seq, scope: record.detail as unknown as RetentionScope }));
  for (let index = 0; index < records.length; index += 1) {
    const record = records[index]!;
    const previous = records[index - 1];
    if (previous && record.seq !== previous.seq + 1)
      return broken(record.seq, `record ${previous.seq + 1} is missing`);
    if (previous && record.prevHash !== previous.hash)
      return broken(record.seq, 'it does not link to the record before it');
    if (recordHash(record.prevHash, record) !== record.hash)
      return broken(record.seq, 'its contents do not match its hash');
    if (record.prunedAt === undefined) {
      if (record.detailSha256 !== undefined && detailDigest(record.detail) !== record.detailSha256)
        return broken(record.seq, 'its detail does not match its digest');
    } else if (
      !retentions.some((retention) => retention.seq > record.seq && coveredBy(record, retention.scope))
    ) {
      return broken(record.seq, 'its detail was emptied, but no retention pass recorded after it covers it');
    }
  }
  return { ok: true, records: records.length };
}
