import { readFile } from 'node:fs/promises';
import MiniSearch from 'minisearch';
import { z } from 'zod';
import { processTerm, splitWords, termsOf } from './tokenize-identifiers.js';

/** One worked question/SQL pair shown to the model before the real question. */
export const SqlExampleSchema = z.object({
  question: z.string().trim().min(1),
  sql: z.string().trim().min(1),
});
export type SqlExample = z.infer<typeof SqlExampleSchema>;

/**
 * Reads a JSONL file of `{ "question", "sql" }` rows; blank lines are skipped. Any bad line fails
 * the whole load with `file:line` and what is wrong, so a typo in an example file is found at once.
 */
export async function loadExamples(file: string): Promise<SqlExample[]> {
  const text = await readFile(file, 'utf8');
  const examples: SqlExample[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const where = `${file}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new Error(`${where}: not JSON (${(error as Error).message})`);
    }
    const parsed = SqlExampleSchema.safeParse(value);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'row'}: ${issue.message}`);
      throw new Error(`${where}: ${issues.join('; ')}`);
    }
    examples.push(parsed.data);
  }
  return examples;
}

/**
 * The `k` examples whose questions are most like `question` (MiniSearch BM25+ over the same words
 * and stems as schema linking), best first. Ties, and the fill-up when fewer than `k` questions
 * share a word, go by file order: the same inputs always give the same prompt.
 */
export function selectExamples(question: string, examples: readonly SqlExample[], k: number): SqlExample[] {
  const count = Math.max(0, Math.min(Math.floor(k), examples.length));
  if (count === 0) return [];
  const scores = new Map<number, number>();
  if (termsOf(question).length > 0) {
    const index = new MiniSearch<{ id: number; question: string }>({
      fields: ['question'],
      tokenize: splitWords,
      processTerm,
    });
    index.addAll(examples.map((example, id) => ({ id, question: example.question })));
    for (const hit of index.search(question)) scores.set(hit.id as number, hit.score);
  }
  return examples
    .map((example, position) => ({ example, position, score: scores.get(position) ?? 0 }))
    .sort((a, b) => b.score - a.score || a.position - b.position)
    .slice(0, count)
    .map(({ example }) => example);
}
