import { z } from 'zod';
import { aliasNamePattern, ModelRefSchema } from './model-ref.js';
import { findPrice, type ModelPrice } from './pricing.js';

/**
 * The model catalog: what each model can do, what it costs, and the named fallback chains
 * (aliases) a caller may ask for instead of one model. Its file form is `config/models.yaml`;
 * this module is pure (no I/O) so that workflows may use a catalog passed to them as data.
 */

/** `embeddings`: the model turns texts into vectors (`embed`) rather than chatting. */
export const ModelCapabilitySchema = z.enum(['tools', 'structured_output', 'vision', 'embeddings']);
export type ModelCapability = z.infer<typeof ModelCapabilitySchema>;

/** A coarse size class, for a router that picks the smallest model a task needs. */
export const ModelTierSchema = z.enum(['small', 'medium', 'large']);
export type ModelTier = z.infer<typeof ModelTierSchema>;

const usdPerMillion = z
  .number({ error: 'must be a number of US dollars per million tokens' })
  .finite()
  .nonnegative({ error: 'a price cannot be negative' });

/** US dollars per million tokens, the same shape as `ModelPrice` in pricing.ts. */
export const ModelPriceSchema = z
  .object({
    inputPerMillion: usdPerMillion,
    outputPerMillion: usdPerMillion,
    cachedInputPerMillion: usdPerMillion,
    /** Prompt-cache writes (Anthropic: 1.25 times input); plain input when absent. */
    cacheWriteInputPerMillion: usdPerMillion.optional(),
  })
  .strict();

export const ModelEntrySchema = z
  .object({
    /** Tokens the model reads and writes in one call, prompt and answer together. */
    contextWindow: z
      .number({ error: 'must be a number of tokens' })
      .int({ error: 'must be a whole number of tokens' })
      .positive({ error: 'must be a positive number of tokens' }),
    capabilities: z.array(ModelCapabilitySchema).superRefine((list, context) => {
      const seen = new Set<string>();
      list.forEach((capability, index) => {
        if (seen.has(capability))
          context.addIssue({ code: 'custom', path: [index], message: `"${capability}" is listed twice` });
        seen.add(capability);
      });
    }),
    /** Optional only for scripted, compatible and local models, which then cost nothing. */
    prices: ModelPriceSchema.optional(),
    tier: ModelTierSchema.optional(),
  })
  .strict();

const freeProviders: readonly string[] = ['scripted', 'compatible', 'local'];

/**
 * Complexity routing for `--model auto`: a request is complex when its input is long, it needs
 * tools (when `toolsAreComplex`), or it matches one of the patterns; simple ones go to `simple`.
 */
export const RoutingSchema = z
  .object({
    /** An alias or model for simple requests, and one for complex ones. */
    simple: z.string().min(1),
    complex: z.string().min(1),
    /** Input tokens (o200k) above which a request is complex. */
    maxSimpleTokens: z.number().int().positive().default(400),
    toolsAreComplex: z.boolean().default(true),
    /** Case-insensitive regular expressions that mark a request complex. */
    complexPatterns: z
      .array(
        z.string().refine((pattern) => {
          try {
            new RegExp(pattern, 'i');
            return true;
          } catch {
            return false;
          }
        }, 'not a valid regular expression'),
      )
      .default([]),
  })
  .strict();
export type Routing = z.output<typeof RoutingSchema>;

/**
 * The file's shape, then what one entry cannot see on its own: model ids, prices of hosted models,
 * alias names and chains. Zod runs those cross-checks only once every entry has the right shape.
 */
export const ModelCatalogFileSchema = z
  .object({
    models: z.record(z.string(), ModelEntrySchema),
    aliases: z
      .record(z.string(), z.array(z.string()).min(1, { error: 'a fallback chain needs at least one model' }))
      .default({}),
    routing: RoutingSchema.optional(),
  })
  .strict()
  .superRefine((file, context) => {
    for (const [id, entry] of Object.entries(file.models)) {
      const ref = ModelRefSchema.safeParse(id);
      if (!ref.success) {
        context.addIssue({
          code: 'custom',
          path: ['models', id],
          message: ref.error.issues[0]?.message ?? 'not a model reference',
        });
      } else if (!entry.prices && !freeProviders.includes(ref.data.provider)) {
        // A hosted model without a price would be reported as free: refuse it instead.
        context.addIssue({
          code: 'custom',
          path: ['models', id, 'prices'],
          message: `a ${ref.data.provider} model needs prices (only scripted and compatible models default to free)`,
        });
      }
    }
    for (const [name, chain] of Object.entries(file.aliases)) {
      if (Object.hasOwn(file.models, name)) {
        context.addIssue({
          code: 'custom',
          path: ['aliases', name],
          message: `alias "${name}" shadows the model of the same id; give the alias another name`,
        });
      } else if (!aliasNamePattern.test(name)) {
        context.addIssue({
          code: 'custom',
          path: ['aliases', name],
          message: `alias names are letters, digits, _, . or - with no colon (a colon marks a provider:model reference)`,
        });
      }
      const seen = new Set<string>();
      chain.forEach((model, index) => {
        if (seen.has(model)) {
          context.addIssue({
            code: 'custom',
            path: ['aliases', name, index],
            message: `"${model}" is already earlier in the chain; a model is tried once`,
          });
        } else if (!Object.hasOwn(file.models, model)) {
          const hint = Object.hasOwn(file.aliases, model)
            ? ' (it is an alias; chains list models, not other aliases)'
            : '';
          context.addIssue({
            code: 'custom',
            path: ['aliases', name, index],
            message: `unknown model "${model}"${hint}; a chain may only name models under models:`,
          });
        }
        seen.add(model);
      });
    }
    for (const key of ['simple', 'complex'] as const) {
      const target = file.routing?.[key];
      if (target !== undefined && !Object.hasOwn(file.aliases, target) && !Object.hasOwn(file.models, target))
        context.addIssue({
          code: 'custom',
          path: ['routing', key],
          message: `"${target}" is neither an alias nor a model of this catalog`,
        });
    }
  });

export interface CatalogModel {
  readonly id: string;
  readonly contextWindow: number;
  readonly capabilities: readonly ModelCapability[];
  readonly prices: ModelPrice;
  readonly tier?: ModelTier | undefined;
}

/** A validated catalog: every alias chain names catalog models, every model has prices. */
export interface ModelCatalog {
  readonly models: Readonly<Record<string, CatalogModel>>;
  readonly aliases: Readonly<Record<string, readonly string[]>>;
  readonly routing?: Routing | undefined;
}

/** A catalog that does not validate; the message names the source and each bad key path. */
export class ModelCatalogError extends Error {
  override readonly name = 'ModelCatalogError';
}

const free: ModelPrice = { inputPerMillion: 0, outputPerMillion: 0, cachedInputPerMillion: 0 };

/** `models["openai:gpt-4o"].prices.inputPerMillion`: model ids contain colons and dots. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      const text = String(key);
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) return index === 0 ? text : `.${text}`;
      return `[${JSON.stringify(text)}]`;
    })
    .join('');
}

/**
 * Validates a parsed catalog file. `source` (usually the file's path) starts the error message,
 * which then lists every problem as `key path: problem`, one per line.
 */
export function parseModelCatalog(raw: unknown, source: string): ModelCatalog {
  const parsed = ModelCatalogFileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${formatKeyPath(issue.path)}: ${issue.message}`);
    throw new ModelCatalogError(`${source}: invalid model catalog:\n  ${lines.join('\n  ')}`);
  }
  const models: Record<string, CatalogModel> = {};
  for (const [id, entry] of Object.entries(parsed.data.models)) {
    models[id] = {
      id,
      contextWindow: entry.contextWindow,
      capabilities: entry.capabilities,
      prices: entry.prices ?? free,
      tier: entry.tier,
    };
  }
  return { models, aliases: parsed.data.aliases, routing: parsed.data.routing };
}

/**
 * The models to try, in order, for an alias or a model reference. An alias gives its fallback
 * chain; a well-formed `provider:model` gives itself, catalogued or not, so that references
 * the catalog does not list (a script path, a model just released) keep working. Anything else
 * is an error that lists the aliases there are.
 */
export function resolveChain(catalog: ModelCatalog, nameOrModel: string): readonly string[] {
  if (Object.hasOwn(catalog.aliases, nameOrModel)) return catalog.aliases[nameOrModel]!;
  if (Object.hasOwn(catalog.models, nameOrModel) || ModelRefSchema.safeParse(nameOrModel).success)
    return [nameOrModel];
  const aliases = Object.keys(catalog.aliases).sort();
  throw new ModelCatalogError(
    `unknown model or alias "${nameOrModel}": name a model as provider:model or use one of the aliases ${
      aliases.length > 0 ? aliases.join(', ') : '(the catalog defines none)'
    }`,
  );
}

/**
 * The price of a model: the catalog's entry, else that of the catalogued model it is a dated
 * snapshot of (`openai:gpt-4o-mini-2024-07-18`), else free for scripted and compatible models,
 * else `undefined`: a cost that is unknown, never reported as zero.
 */
export function priceOf(catalog: ModelCatalog, modelId: string): ModelPrice | undefined {
  if (Object.hasOwn(catalog.models, modelId)) return catalog.models[modelId]!.prices;
  const ref = ModelRefSchema.safeParse(modelId);
  if (!ref.success) return undefined;
  return findPrice(ref.data, priceTableOf(catalog));
}

/** The catalog's prices by model id. */
export function priceTableOf(catalog: ModelCatalog): Record<string, ModelPrice> {
  return Object.fromEntries(Object.values(catalog.models).map((model) => [model.id, model.prices]));
}
