import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { TurnOutcomeSchema } from '../../common/customer-service.js';
import { describeZodIssues } from '../../common/describe-issues.js';

const PatternSchema = z
  .string()
  .min(1)
  .refine((pattern) => {
    try {
      new RegExp(pattern, 'i');
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');

/**
 * What a customer message should get. Every field given must hold: the turn's outcome (one, or
 * any of several), a policy number cited with a passage (`[file.md#0]`), a tool the agent called,
 * a tool call that waited for a person's approval, a ticket (the hand-off's or `create_ticket`'s),
 * and patterns the reply must or must not match (case-insensitive).
 */
export const SessionExpectationSchema = z
  .object({
    outcome: z.union([TurnOutcomeSchema, z.array(TurnOutcomeSchema).min(1)]).optional(),
    cites: z.string().min(1).optional(),
    tool: z.string().min(1).optional(),
    approval: z.string().min(1).optional(),
    ticket: z.boolean().optional(),
    replyMatches: PatternSchema.optional(),
    replyMustNotMatch: PatternSchema.optional(),
  })
  .refine((expect) => Object.keys(expect).length > 0, 'expects nothing: name at least one outcome');
export type SessionExpectation = z.infer<typeof SessionExpectationSchema>;

/** One case: a customer message (after `before`, in a new session), what it is about, and what it should get. */
export const SessionCaseSchema = z.object({
  id: z.string().trim().min(1),
  category: z.string().trim().min(1),
  language: z.string().trim().min(2),
  customer: z.string().trim().min(1).default('C-1001'),
  before: z.array(z.string().trim().min(1)).default([]),
  message: z.string().trim().min(1),
  expect: SessionExpectationSchema,
});
export type SessionCase = z.infer<typeof SessionCaseSchema>;

/**
 * The cases of a JSONL file, one per line (blank lines skipped). Every line is checked, and all
 * the problems are reported together, each with its line; ids must be unique.
 */
export async function loadSessionCases(file: string): Promise<SessionCase[]> {
  const text = await readFile(file, 'utf8');
  const cases: SessionCase[] = [];
  const problems: string[] = [];
  const ids = new Set<string>();
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      problems.push(`line ${index + 1}: not JSON`);
      return;
    }
    const parsed = SessionCaseSchema.safeParse(json);
    if (!parsed.success) {
      problems.push(...describeZodIssues(parsed.error.issues).map((issue) => `line ${index + 1}: ${issue}`));
      return;
    }
    if (ids.has(parsed.data.id)) problems.push(`line ${index + 1}: id ${parsed.data.id} is used twice`);
    ids.add(parsed.data.id);
    cases.push(parsed.data);
  });
  if (problems.length > 0) throw new Error(`${file} has problems:\n  ${problems.join('\n  ')}`);
  if (cases.length === 0) throw new Error(`${file} has no cases`);
  return cases;
}
