import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AnswerKindSchema, normalizeAnswer, type AnswerKind } from '../../common/answer-vote.js';
import { describeZodIssues } from '../../common/describe-issues.js';

/** A GSM8K row: the expected answer is the number after `####` at the end of the worked solution. */
export const Gsm8kRowSchema = z.object({
  question: z.string().trim().min(1, 'the question is empty'),
  answer: z.string(),
});

/** A row of any dataset. Extra fields are ignored, so rows may carry their own metadata. */
export const GenericRowSchema = z.object({
  question: z.string().trim().min(1, 'the question is empty'),
  expected: z.union([z.string().trim().min(1, 'the expected answer is empty'), z.number()]),
  kind: AnswerKindSchema.optional(),
  id: z.union([z.string().trim().min(1, 'the id is empty'), z.number()]).optional(),
});

export interface EvalItem {
  /** The row's `id`, else its line number in the file. */
  readonly id: string;
  readonly question: string;
  readonly expected: string;
  readonly kind: AnswerKind;
}

export interface EvalDataset {
  readonly items: EvalItem[];
  /** One kind for the whole dataset: accuracy is reported per dataset. */
  readonly kind: AnswerKind;
}

export interface LoadEvalDatasetOptions {
  /** At most this many items, after `offset`. */
  readonly limit?: number | undefined;
  /** Items to skip from the start. */
  readonly offset?: number | undefined;
}

/** A parsed row before the dataset's kind is settled; `kind` is undefined when the row left it open. */
interface ParsedRow {
  readonly line: number;
  readonly id: string;
  readonly question: string;
  readonly expected: string;
  readonly kind: AnswerKind | undefined;
}

const gsm8kAnswerPattern = /####\s*(.+?)\s*$/;

function gsm8kExpected(answer: string): string | string[] {
  const value = gsm8kAnswerPattern.exec(answer)?.[1]?.replaceAll(',', '');
  if (value === undefined) return ['answer: does not end with a "#### <number>" line'];
  if (!/^-?\d+(?:\.\d+)?$/.test(value)) return [`answer: "#### ${value}" is not a number`];
  return value;
}

function issuesOf(error: z.ZodError): string[] {
  return describeZodIssues(error.issues, '(row)');
}

/** A row, or the problems with it. A row with `expected` is generic; otherwise it must be GSM8K's. */
function parseRow(json: unknown, line: number): ParsedRow | string[] {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return ['not a JSON object'];
  if (!('expected' in json)) {
    const row = Gsm8kRowSchema.safeParse(json);
    if (!row.success) return issuesOf(row.error);
    const expected = gsm8kExpected(row.data.answer);
    if (Array.isArray(expected)) return expected;
    return { line, id: String(line), question: row.data.question, expected, kind: 'number' };
  }
  const row = GenericRowSchema.safeParse(json);
  if (!row.success) return issuesOf(row.error);
  const { question, expected, kind, id } = row.data;
  return { line, id: String(id ?? line), question, expected: String(expected).trim(), kind };
}

/**
 * The dataset's kind: the one its rows state (GSM8K rows state `number`); when none does, `number`
 * if every expected answer is a number, else `text`. Conflicting kinds are an error.
 */
function datasetKind(rows: readonly ParsedRow[], file: string): AnswerKind {
  const stated = rows.find((row) => row.kind !== undefined);
  if (stated?.kind !== undefined) {
    const conflict = rows.find((row) => row.kind !== undefined && row.kind !== stated.kind);
    if (conflict)
      throw new Error(
        `${file}:${conflict.line}: kind "${conflict.kind}" differs from kind "${stated.kind}" at line ` +
          `${stated.line}; a dataset has one kind`,
      );
    return stated.kind;
  }
  return rows.every((row) => normalizeAnswer(row.expected, 'number') !== null) ? 'number' : 'text';
}

function checkRows(rows: readonly ParsedRow[], kind: AnswerKind, file: string): void {
  const lineOfId = new Map<string, number>();
  for (const row of rows) {
    const earlier = lineOfId.get(row.id);
    if (earlier !== undefined)
      throw new Error(`${file}:${row.line}: id "${row.id}" is already used at line ${earlier}`);
    lineOfId.set(row.id, row.line);
    if (normalizeAnswer(row.expected, kind) === null)
      throw new Error(`${file}:${row.line}: expected "${row.expected}" is not a ${kind} answer`);
  }
}

function parseRows(text: string, file: string): ParsedRow[] {
  const rows: ParsedRow[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((content, index) => {
      const line = index + 1;
      if (content.trim() === '') return;
      let json: unknown;
      try {
        json = JSON.parse(content);
      } catch (error) {
        throw new Error(`${file}:${line}: not valid JSON: ${(error as Error).message}`);
      }
      const row = parseRow(json, line);
      if (Array.isArray(row)) throw new Error(`${file}:${line}: ${row.join('; ')}`);
      rows.push(row);
    });
  return rows;
}

function checkWindow({ limit, offset }: LoadEvalDatasetOptions): void {
  if (offset !== undefined && !(Number.isInteger(offset) && offset >= 0))
    throw new Error(`offset must be a whole number of at least 0, not ${offset}`);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1))
    throw new Error(`limit must be a whole number of at least 1, not ${limit}`);
}

/**
 * Reads an eval dataset: JSONL, one question a line, in GSM8K form (`question`, `answer` ending in
 * `#### 72`) or generic form (`question`, `expected`, optional `kind` and `id`). Blank lines are
 * skipped. Every row is checked, also those outside `offset`/`limit`, so a bad file fails at once.
 *
 * @throws Error naming `file:line` and the problem for a bad row, or the file for an unreadable
 *   or empty dataset (also when `offset` skips every item).
 */
export async function loadEvalDataset(
  file: string,
  options: LoadEvalDatasetOptions = {},
): Promise<EvalDataset> {
  checkWindow(options);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read eval dataset ${file}: ${(error as Error).message}`);
  }
  const rows = parseRows(text, file);
  if (rows.length === 0) throw new Error(`Eval dataset ${file} has no rows`);
  const kind = datasetKind(rows, file);
  checkRows(rows, kind, file);

  const offset = options.offset ?? 0;
  const selected = rows.slice(offset, options.limit === undefined ? undefined : offset + options.limit);
  if (selected.length === 0)
    throw new Error(`Eval dataset ${file} has ${rows.length} items: offset ${offset} skips them all`);
  const items = selected.map(({ id, question, expected }) => ({ id, question, expected, kind }));
  return { items, kind };
}
