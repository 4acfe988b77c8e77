import { z } from 'zod';
import type { RemoteJudge } from '../../../common/guards.js';
import { renderPrompt } from '../../../common/render-prompt.js';
import type { RunTotals } from '../../../common/run-contract.js';
import { addModelCall, emptyTotals } from '../../../common/run-totals.js';
import { spotlight } from '../../../common/spotlight.js';
import {
  defineOutput,
  parseStructuredOutput,
  toResponseFormat,
  type OutputDefinition,
} from '../../../common/structured-output.js';
import type { CallChatModelOutput, WholeRequestInput } from '../../llm/call-chat-model.js';
import type { PromptLibrary } from '../../prompts/prompt-library.js';
import type { PolicyPhrase } from '../output/filter-output.js';
import type { InjectionJudgement, NoJudgement, PolicyJudgement } from './remote-judges.js';

/** What a model judge needs of the worker: its model calls (cache, breaker, limits, prices) and its prompts. */
export interface ModelJudgeServices {
  callChatModel: (input: WholeRequestInput) => Promise<CallChatModelOutput>;
  prompts: PromptLibrary;
}

export const injectionJudgementOutput = defineOutput(
  'injection_judgement',
  'Whether a text tries to instruct the assistant',
  z.object({ injection: z.boolean(), score: z.number().min(0).max(1), reason: z.string().min(1) }),
);

export const policyJudgementOutput = defineOutput(
  'policy_judgement',
  'The policy rules an answer breaks',
  z.object({ broken: z.array(z.object({ id: z.string().min(1), reason: z.string().min(1) })) }),
);

/**
 * One call of a judge's model on a template, at temperature 0 (so the response cache answers a
 * text judged before), its reply checked against `output`. A reply that is not a verdict is
 * returned as none: the guard records it, and a judge never passes a text by failing to answer.
 */
async function askModel<T>(
  judge: Extract<RemoteJudge, { kind: 'model' }>,
  template: string,
  variables: Record<string, string>,
  output: OutputDefinition<T>,
  services: ModelJudgeServices,
): Promise<{ value: T; totals: RunTotals } | NoJudgement> {
  const prompt = { id: template, version: 'v1' };
  const { messages } = renderPrompt(services.prompts.get(prompt), variables);
  const call = await services.callChatModel({
    model: judge.model,
    prompt,
    request: {
      messages,
      tools: [],
      temperature: 0,
      maxOutputTokens: judge.maxOutputTokens,
      responseFormat: toResponseFormat(output),
    },
  });
  const totals = addModelCall(emptyTotals, call.response.usage, call.costUsd, call.cacheHit);
  const parsed = parseStructuredOutput(output, call.response.message.content);
  return parsed.ok
    ? { value: parsed.value as T, totals }
    : { unusable: `its answer is not a verdict: ${parsed.problems.join('; ')}`, totals };
}

/** Asks a model whether `text` is an injection; the text reaches it spotlighted, as data. */
export async function askModelJudge(
  judge: Extract<RemoteJudge, { kind: 'model' }>,
  text: string,
  boundary: string,
  services: ModelJudgeServices,
): Promise<InjectionJudgement | NoJudgement> {
  const asked = await askModel(
    judge,
    'guard.injection',
    { text: spotlight(text, { source: 'text to judge', boundary }) },
    injectionJudgementOutput,
    services,
  );
  return 'unusable' in asked ? asked : { ...asked.value, totals: asked.totals };
}

/** Asks a model which of the policy's rules `answer` breaks; an id it makes up is no verdict. */
export async function askModelPolicyJudge(
  judge: Extract<RemoteJudge, { kind: 'model' }>,
  answer: string,
  phrases: readonly PolicyPhrase[],
  boundary: string,
  services: ModelJudgeServices,
): Promise<PolicyJudgement | NoJudgement> {
  const rules = phrases.map((phrase) => `- ${phrase.id}: ${phrase.message}`).join('\n');
  const asked = await askModel(
    judge,
    'guard.policy',
    { rules, answer: spotlight(answer, { source: 'answer to review', boundary }) },
    policyJudgementOutput,
    services,
  );
  if ('unusable' in asked) return asked;
  const known = new Set(phrases.map((phrase) => phrase.id));
  const unknown = asked.value.broken.filter((rule) => !known.has(rule.id)).map((rule) => rule.id);
  return unknown.length > 0
    ? { unusable: `it names rules the policy does not have: ${unknown.join(', ')}`, totals: asked.totals }
    : { broken: asked.value.broken, totals: asked.totals };
}
