import { z } from 'zod';
import type { ChatMessage, ResponseFormat } from './chat.js';
import { describeIssues } from './describe-issues.js';

/**
 * A named structured output: the zod schema is the single source of truth; the JSON Schema sent
 * to the model is derived from it. Workflows and activities refer to it by `name` (payloads stay
 * plain data); both sides hold the same definition, so the activity validates with the real zod
 * schema (refinements included) and the workflow re-parses the validated value for its types.
 */
export interface OutputDefinition<T = unknown> {
  readonly name: string;
  readonly description: string;
  readonly schema: z.ZodType<T>;
}

export function defineOutput<T>(
  name: string,
  description: string,
  schema: z.ZodType<T>,
): OutputDefinition<T> {
  return { name, description, schema };
}

/** The JSON Schema of what the model must write: the schema's input side, which is what gets parsed. */
export function toResponseFormat(output: OutputDefinition): ResponseFormat {
  const schema = z.toJSONSchema(output.schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return { name: output.name, description: output.description, schema };
}

/** What one structured model call produced: a value that matched, or why it did not. */
export type StructuredParse = { ok: true; value: unknown } | { ok: false; problems: string[] };

const fencedJsonPattern = /^```(?:json)?\s*\n([\s\S]*?)\n```$/;

/**
 * Parses and validates model text against an output. Some OpenAI-compatible servers wrap JSON in
 * a Markdown fence even in JSON mode; the fence is tolerated, nothing else is.
 */
export function parseStructuredOutput(output: OutputDefinition, text: string): StructuredParse {
  const trimmed = text.trim();
  const unfenced = fencedJsonPattern.exec(trimmed)?.[1] ?? trimmed;
  let raw: unknown;
  try {
    raw = JSON.parse(unfenced);
  } catch (error) {
    const preview = trimmed.length > 200 ? `${trimmed.slice(0, 200)}…` : trimmed;
    return {
      ok: false,
      problems: [`the output is not valid JSON (${(error as Error).message}): ${preview || '(empty)'}`],
    };
  }
  const parsed = output.schema.safeParse(raw);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, problems: describeIssues(parsed.error.issues, 'output') };
}

/** The turn that shows the model why its answer was refused. */
export function repairMessage(problems: readonly string[]): ChatMessage {
  return {
    role: 'user',
    content:
      'Your answer does not match the required output:\n' +
      problems.map((problem) => `- ${problem}`).join('\n') +
      '\nAnswer again with the corrected JSON only.',
  };
}

/** An earlier answer to the same request that failed validation, and why: one repair turn. */
export interface RepairTurn {
  output: string;
  problems: string[];
}

/** A request's messages followed by each repair turn: the refused answer, then why. */
export function withRepairTurns(
  messages: readonly ChatMessage[],
  repairs: readonly RepairTurn[] = [],
): ChatMessage[] {
  return [
    ...messages,
    ...repairs.flatMap((repair): ChatMessage[] => [
      { role: 'assistant', content: repair.output, toolCalls: [] },
      repairMessage(repair.problems),
    ]),
  ];
}
