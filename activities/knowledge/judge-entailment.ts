import { z } from 'zod';
import type { ClaimCheck } from '../../common/citations.js';
import { renderPrompt } from '../../common/render-prompt.js';
import type { RunTotals } from '../../common/run-contract.js';
import { addModelCall, emptyTotals } from '../../common/run-totals.js';
import { spotlight } from '../../common/spotlight.js';
import { defineOutput, parseStructuredOutput, toResponseFormat } from '../../common/structured-output.js';
import type { CallChatModelOutput, WholeRequestInput } from '../llm/call-chat-model.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';

export const entailmentOutput = defineOutput(
  'entailment_verdicts',
  'Whether the passages each claim cites entail it',
  z.object({
    verdicts: z.array(
      z.object({ claim: z.number().int().min(1), entailed: z.boolean(), reason: z.string().min(1) }),
    ),
  }),
);

export interface EntailmentServices {
  callChatModel: (input: WholeRequestInput) => Promise<CallChatModelOutput>;
  prompts: PromptLibrary;
}

export interface EntailmentJudgement {
  /** The verdict on each judged claim, by its index in the claims given; a claim left out has none. */
  verdicts: Map<number, { entailed: boolean; reason: string }>;
  totals: RunTotals;
  /** Why the reply gave no verdicts, when it gave none. */
  unusable?: string;
}

/**
 * Asks `model` whether the passages each claim cites entail it: one call for the whole answer,
 * at temperature 0 (a retry is answered by the response cache), claims and passages spotlighted
 * as data. Only claims that cite retrieved passages are judged. A reply that is no verdict gives
 * none (`unusable`): a claim is never passed by a judge that failed to answer.
 */
export async function judgeEntailment(
  claims: readonly ClaimCheck[],
  passages: ReadonlyMap<string, string>,
  options: { model: string; boundary: string } & EntailmentServices,
): Promise<EntailmentJudgement> {
  const judged = claims.flatMap((claim, index) =>
    claim.status === 'supported' || claim.status === 'unsupported' ? [{ claim, index }] : [],
  );
  if (judged.length === 0) return { verdicts: new Map(), totals: emptyTotals };
  const ids = [...new Set(judged.flatMap(({ claim }) => claim.cited))];
  const prompt = { id: 'knowledge.entailment', version: 'v1' };
  const { messages } = renderPrompt(options.prompts.get(prompt), {
    claims: judged
      .map(
        ({ claim }, number) =>
          `${number + 1}. cites ${claim.cited.map((id) => `[${id}]`).join(' ')}\n${spotlight(claim.claim, { source: `claim ${number + 1}`, boundary: options.boundary })}`,
      )
      .join('\n\n'),
    passages: ids
      .map((id) => `[${id}]\n${spotlight(passages.get(id)!, { source: id, boundary: options.boundary })}`)
      .join('\n\n'),
  });
  const call = await options.callChatModel({
    model: options.model,
    prompt,
    request: { messages, tools: [], temperature: 0, responseFormat: toResponseFormat(entailmentOutput) },
  });
  const totals = addModelCall(emptyTotals, call.response.usage, call.costUsd, call.cacheHit);
  const parsed = parseStructuredOutput(entailmentOutput, call.response.message.content);
  if (!parsed.ok)
    return {
      verdicts: new Map(),
      totals,
      unusable: `its answer is not a verdict: ${parsed.problems.join('; ')}`,
    };
  const verdicts = new Map<number, { entailed: boolean; reason: string }>();
  for (const verdict of entailmentOutput.schema.parse(parsed.value).verdicts) {
    const target = judged[verdict.claim - 1];
    if (target) verdicts.set(target.index, { entailed: verdict.entailed, reason: verdict.reason });
  }
  return { verdicts, totals };
}
