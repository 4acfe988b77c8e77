import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import { describeIssues } from '../common/describe-issues.js';

/** One input line of the scanner commands: `{"text": "..."}` (other fields are ignored). */
export const TextLineSchema = z.object({ text: z.string() });

/**
 * Reads JSON lines from `input` and writes one JSON line to `output` for each, in order: `scan`'s
 * answer, or `{"error": "line N: ..."}` for a line that is not `{"text": ...}`, so the output
 * stays aligned with the input and no line is dropped. Blank lines are skipped. Resolves to the
 * number of bad lines.
 */
export async function mapTextLines(
  input: Readable,
  output: Writable,
  scan: (text: string) => unknown,
): Promise<number> {
  let lineNumber = 0;
  let bad = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    let answer: unknown;
    try {
      const parsed = TextLineSchema.safeParse(JSON.parse(line));
      answer = parsed.success
        ? scan(parsed.data.text)
        : { error: `line ${lineNumber}: ${describeIssues(parsed.error.issues, '(line)').join('; ')}` };
    } catch (error) {
      answer = { error: `line ${lineNumber}: not JSON (${(error as Error).message})` };
    }
    if (typeof answer === 'object' && answer !== null && 'error' in answer) bad += 1;
    output.write(`${JSON.stringify(answer)}\n`);
  }
  return bad;
}

/** `mapTextLines` from standard input to standard output; bad lines are counted on stderr and make the exit code 1. */
export async function mapStandardInput(scan: (text: string) => unknown): Promise<void> {
  const bad = await mapTextLines(process.stdin, process.stdout, scan);
  if (bad > 0) {
    console.error(`${bad} line(s) were not {"text": ...}: see the "error" lines`);
    process.exitCode = 1;
  }
}
