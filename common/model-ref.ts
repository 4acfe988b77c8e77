import { z } from 'zod';

export const ProviderSchema = z.enum(['openai', 'anthropic', 'compatible', 'scripted', 'local']);
export type Provider = z.infer<typeof ProviderSchema>;

/**
 * A model reference is `provider:model`, split on the first colon so that names which contain
 * colons themselves (Ollama's `llama3.1:8b`) survive: `compatible:llama3.1:8b`.
 */
export const ModelRefSchema = z.string().transform((value, context) => {
  const separator = value.indexOf(':');
  const provider = ProviderSchema.safeParse(value.slice(0, Math.max(separator, 0)));
  const model = value.slice(separator + 1);
  if (separator <= 0 || !provider.success || model.length === 0) {
    context.addIssue({
      code: 'custom',
      message: `model must be "provider:model" with provider one of ${ProviderSchema.options.join(', ')} (got "${value}")`,
    });
    return z.NEVER;
  }
  return { provider: provider.data, model };
});
export type ModelRef = z.output<typeof ModelRefSchema>;

/** What a model catalog alias (`fast`, `smart`) may be called: no colon, so never a `provider:model`. */
export const aliasNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The provider part of a `provider:model` reference (before the first colon), without validating it. */
export function providerOf(model: string): string {
  const separator = model.indexOf(':');
  return separator < 0 ? '' : model.slice(0, separator);
}

export function formatModelRef(ref: ModelRef): string {
  return `${ref.provider}:${ref.model}`;
}
