import { z } from 'zod';

/** What an audit record is about. Values of personal data never appear in one: counts only. */
export const AuditKindSchema = z.enum([
  'guard',
  'pii-masked',
  'tool-call',
  'approval',
  'sql',
  'policy-refusal',
  /** A retention pass: which records' details it emptied (a tenant's, older than `before`). */
  'retention',
]);
export type AuditKind = z.infer<typeof AuditKindSchema>;

/** One event to record: its run, its kind and what it says (plain JSON). */
export const AuditEntrySchema = z.object({
  /**
   * Unique per event, stable across retries (workflow id, activity id, index): appending an entry
   * whose key is already recorded does nothing, so a retried activity records an event once.
   */
  key: z.string().min(1),
  workflowId: z.string(),
  runId: z.string(),
  kind: AuditKindSchema,
  detail: z.record(z.string(), z.unknown()),
  /** The run's tenant, whose policy says how long the record's detail is kept; absent for the default. */
  tenant: z.string().min(1).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** A recorded entry: its place in the chain, when, and the hashes that chain it. */
export interface AuditRecord extends AuditEntry {
  seq: number;
  at: string;
  /** The previous record's hash; the first record's is 64 zeros. */
  prevHash: string;
  /** SHA-256 of the previous hash and this record's fields. */
  hash: string;
  /**
   * SHA-256 of the detail, which the hash covers in its place: the detail may then be emptied
   * when its tenant's retention ends and the chain still verifies. Absent in records written
   * before retention existed (their hash covers the detail itself; they are never emptied).
   */
  detailSha256?: string;
  /** When a retention pass emptied the detail (it is then `{}`). */
  prunedAt?: string;
}
