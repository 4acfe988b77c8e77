/**
 * The model a run uses when none is named: `LLMOS_DEFAULT_MODEL`, else the first provider with a
 * key (OpenAI, Anthropic, an OpenAI-compatible server), else the offline scripted demo model.
 */
export function chooseDefaultModel(
  env: Readonly<Record<string, string | undefined>>,
  /** The offline script for this kind of job, in examples/scripted/. */
  scriptedModel = 'demo-agent',
): {
  model: string;
  scripted: boolean;
} {
  const pick = (model: string) => ({ model, scripted: model.startsWith('scripted:') });
  if (env.LLMOS_DEFAULT_MODEL) return pick(env.LLMOS_DEFAULT_MODEL);
  if (env.OPENAI_API_KEY) return pick('openai:gpt-4o-mini');
  if (env.ANTHROPIC_API_KEY) return pick('anthropic:claude-haiku-4-5');
  if (env.LLMOS_COMPATIBLE_BASE_URL) return pick(`compatible:${env.LLMOS_COMPATIBLE_MODEL || 'llama3.1'}`);
  return pick(`scripted:${scriptedModel}`);
}
