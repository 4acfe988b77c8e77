import { z } from 'zod';

/**
 * The document-analysis job's plan, as parsed from the analysis DSL
 * (`client/analysis-dsl/`). Plain data: it travels in workflow inputs and lands in history.
 */
export const analysisFieldTypes = ['date', 'money', 'text', 'list'] as const;
export type AnalysisFieldType = (typeof analysisFieldTypes)[number];

export const AnalysisFieldSchema = z.object({
  name: z.string().min(1),
  type: z.enum(analysisFieldTypes),
  description: z.string().optional(),
  /** `declared` when the spec wrote `name (type)`, `inferred` when the type came from the name. */
  typeSource: z.enum(['declared', 'inferred']),
});
export type AnalysisField = z.infer<typeof AnalysisFieldSchema>;

export const AnalysisSpecSchema = z.object({
  name: z.string().min(1),
  fields: z.array(AnalysisFieldSchema).min(1),
  compare: z.array(z.string()),
  across: z.literal('documents'),
  identify: z.array(z.string()),
  output: z.array(z.string()),
});
export type AnalysisSpec = z.infer<typeof AnalysisSpecSchema>;

/**
 * Money keeps the model's reading and the source text side by side: `amount` and `currency`
 * are null when the text states no number (e.g. "fees paid in the prior 12 months").
 */
const MoneyValueSchema = z.strictObject({
  amount: z.number().nullable().describe('The amount as a plain number, or null when the text gives none'),
  currency: z
    .string()
    .nullable()
    .describe('ISO 4217 code such as USD or EUR, or null when the text names no currency'),
  text: z.string().describe('The amount as written in the document'),
});

/** How the model writes a value of each field type. Dates stay strings: documents are vague ("upon signing"). */
const valueSchemas = {
  date: z.string().describe('YYYY-MM-DD when the text gives a full date, otherwise the date as written'),
  money: MoneyValueSchema,
  text: z.string(),
  list: z.array(z.string()),
} satisfies Record<AnalysisFieldType, z.ZodType>;

const quoteSchema = z.string().describe('Verbatim text from the chunk that supports the value');

/**
 * The zod schema of one chunk's extraction result:
 * `{ fields: [{ field, value, quote }] }`, one entry per field the chunk mentions (fields the chunk
 * does not mention are left out). The entry is a union with one branch per field type used by the
 * spec, so each field's value has its type's shape: date and text are strings, list is a string
 * array, money is `{ amount, currency, text }`. Every object is closed (no extra keys) and every key
 * is required, which is what OpenAI's strict json_schema mode asks for.
 */
export function extractionSchemaFor(spec: AnalysisSpec) {
  const branches = analysisFieldTypes.flatMap((type) => {
    const names = spec.fields.filter((field) => field.type === type).map((field) => field.name);
    const [first, ...rest] = names;
    if (first === undefined) return [];
    return [
      z.strictObject({
        field: z.enum([first, ...rest]),
        value: valueSchemas[type],
        quote: quoteSchema,
      }),
    ];
  });
  const [first, ...rest] = branches;
  if (first === undefined) throw new Error(`analysis spec ${spec.name} has no fields`);
  const entry = rest.length === 0 ? first : z.union([first, ...rest]);
  return z.strictObject({ fields: z.array(entry) });
}

/**
 * The JSON Schema of {@link extractionSchemaFor}: an object at the root, closed objects, `anyOf`
 * (never `oneOf`) for the per-type branches, so both OpenAI's json_schema response format and
 * Anthropic's tool input schema accept it.
 */
export function extractionJsonSchemaFor(spec: AnalysisSpec): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(extractionSchemaFor(spec), {
    io: 'input',
  }) as Record<string, unknown>;
  return schema;
}
