import { z } from 'zod';
import type { GuardedResult } from './guards.js';
import { PromptRefSchema } from './prompt-template.js';
import type { RouteDecision } from './route-request.js';
import {
  RunCapsSchema,
  runInputFields,
  StopReasonSchema,
  type ModelFallback,
  type RunCaps,
  type RunError,
  type RunTotals,
} from './run-contract.js';
import type { ModelStep } from './trace-steps.js';
import type { QueryRows, SqlDialect, SqlExecution, SqlVerdict } from './database.js';
import { defineOutput } from './structured-output.js';

export const SqlQuerySchema = z.object({
  sql: z.string().trim().min(1, 'the SQL is empty'),
  /** One or two sentences on how the query answers the question. */
  rationale: z.string().trim().default(''),
});
export type SqlQuery = z.infer<typeof SqlQuerySchema>;

export const sqlQueryOutput = defineOutput(
  'sql_query',
  'One read-only SQL SELECT statement that answers the question, and a short rationale.',
  SqlQuerySchema,
);

export const SqlPromptsSchema = z.object({
  generate: PromptRefSchema.default({ id: 'nl2sql.generate', version: 'v1' }),
  answer: PromptRefSchema.default({ id: 'nl2sql.answer', version: 'v1' }),
});

export const SqlInputSchema = z.object({
  question: z.string().trim().min(1, 'the question is empty'),
  /** A SQLite file path or a postgres:// URL, as the worker sees it (keep passwords in PGPASSWORD). */
  database: z.string().trim().min(1, 'the database is empty'),
  ...runInputFields,
  /** When set, statements may read only these tables. */
  allowedTables: z.array(z.string().min(1)).optional(),
  /** Corrected queries after an SQL error or a timeout; past them the run stops with `correction_limit`. */
  maxCorrections: z.number().int().min(0).max(5).default(2),
  /** Repair turns when the model's answer is not a valid {sql, rationale} object. */
  maxRepairs: z.number().int().min(0).max(5).default(1),
  maxRows: z.number().int().min(1).max(10_000).default(200),
  /** Statement timeout, enforced by the database (PostgreSQL) or by killing the runner (SQLite). */
  timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
  /** Tables shown to the model, best-linked first. */
  tableLimit: z.number().int().min(1).max(100).default(6),
  /** Few-shot examples picked from the database's example file. */
  exampleLimit: z.number().int().min(0).max(20).default(3),
  /** Also write a one-paragraph answer from the rows (one more model call). */
  answer: z.boolean().default(false),
  caps: RunCapsSchema.default(RunCapsSchema.parse({ maxIterations: 8, maxCostUsd: 0.5 })),
  prompts: SqlPromptsSchema.default(SqlPromptsSchema.parse({})),
});
export type SqlInput = z.output<typeof SqlInputSchema>;
export type SqlRequest = z.input<typeof SqlInputSchema>;

export const SqlStopReasonSchema = z.enum([...StopReasonSchema.options, 'unsafe_sql', 'correction_limit']);
export type SqlStopReason = z.infer<typeof SqlStopReasonSchema>;

/** Every statement the model wrote, the guard's verdict on it and, when it ran, how it went. */
export interface SqlStatementRecord {
  attempt: number;
  sql: string;
  rationale: string;
  verdict: SqlVerdict;
  /** Absent when the statement was refused and never ran. Rows are kept only in the result. */
  execution?:
    | { ok: true; elapsedMs: number; rowCount: number; truncated: boolean }
    | Extract<SqlExecution, { ok: false }>;
}

export interface SqlResult extends GuardedResult {
  question: string;
  /** The database as shown to people: a URL's password is redacted. */
  database: string;
  dialect: SqlDialect | null;
  /** The statement whose rows are returned; null when none ran successfully. */
  sql: string | null;
  rows: QueryRows | null;
  /** The one-paragraph answer, when asked for. */
  answer: string | null;
  stopReason: SqlStopReason;
  stopDetail: string;
  statements: SqlStatementRecord[];
  /** The tables schema linking put before the model, with their scores. */
  linkedTables: Array<{ table: string; score: number }>;
  /** The few-shot example questions picked for this question. */
  examples: string[];
  caps: RunCaps;
  totals: RunTotals;
  trace: ModelStep[];
  /** Each move down the model chain (and each budget downgrade). */
  fallbacks: ModelFallback[];
  /** With `model: auto`: which route the router chose, and why. */
  route?: RouteDecision;
  error?: RunError;
}
