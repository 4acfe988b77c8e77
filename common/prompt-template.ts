import { z } from 'zod';

/** Names a prompt template and one immutable version of it; every model call records one. */
export const PromptRefSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'template ids are lower-case letters, digits, ., _ or -'),
  version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'versions are letters, digits, ., _ or -'),
});
export type PromptRef = z.infer<typeof PromptRefSchema>;

/** One few-shot example: the user's turn and the answer the model should give. */
export const PromptExampleSchema = z.object({ input: z.string().min(1), output: z.string().min(1) });

/**
 * A versioned prompt template, as stored in `prompts/<id>/<version>.yaml`. `system` and `task`
 * may use `{{variable}}` placeholders, filled at render time; a missing variable is an error.
 */
export const PromptTemplateSchema = PromptRefSchema.extend({
  description: z.string().default(''),
  system: z.string().trim().min(1),
  task: z.string().trim().min(1),
  /** What the answer must look like; rendered into the system message. */
  outputFormat: z.string().trim().optional(),
  /** Rules the model must follow; rendered into the system message as a list. */
  constraints: z.array(z.string().trim().min(1)).default([]),
  /** Rendered as user/assistant turns between the system message and the task. */
  examples: z.array(PromptExampleSchema).default([]),
});
export type PromptTemplate = z.infer<typeof PromptTemplateSchema>;

export const formatPromptRef = (ref: PromptRef): string => `${ref.id}@${ref.version}`;

/**
 * A template as a file must spell it: `PromptTemplateSchema` with unknown keys refused, so a
 * misspelt key (`constraint:`, `example:`) is an error instead of being silently dropped.
 */
export const PromptTemplateFileSchema = PromptTemplateSchema.extend({
  examples: z.array(PromptExampleSchema.strict()).default([]),
}).strict();

/** Reads `<id>@<version>`, the form `formatPromptRef` writes. */
export function parsePromptRef(text: string): PromptRef {
  const parts = text.split('@');
  const parsed = PromptRefSchema.safeParse({ id: parts[0], version: parts[1] });
  if (parts.length === 2 && parsed.success) return parsed.data;
  const detail = parts.length === 2 && !parsed.success ? `: ${parsed.error.issues[0]?.message}` : '';
  throw new Error(`a prompt ref is <id>@<version>, e.g. agent.system@v1 (got "${text}")${detail}`);
}
