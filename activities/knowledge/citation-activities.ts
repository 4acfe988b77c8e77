import { Context } from '@temporalio/activity';
import { randomUUID } from 'node:crypto';
import type { CitationReport } from '../../common/citations.js';
import type { AppendedMessage } from '../../common/conversation.js';
import { spotlightBoundary } from '../../common/spotlight.js';
import type { ConversationStore } from '../conversation/conversation-store.js';
import { checkCitations, retrievedPassages } from './check-citations.js';
import { judgeEntailment, type EntailmentServices } from './judge-entailment.js';

export interface CheckAnswerCitationsInput {
  answer: string;
  /** The run's stored conversation and what came after it: where its `retrieve` results are. */
  conversation: { base: string; append: AppendedMessage[] };
  /** Also ask this model whether the cited passages entail each claim (`judgeEntailment`). */
  entailmentModel?: string | undefined;
}

/**
 * Checks an agent's answer against the passages its `retrieve` calls returned, read from the run's
 * stored conversation (history holds only its key): quotes and words first (`checkCitations`),
 * then, when the run asks, the model's entailment verdict, which decides each claim it judged.
 * The judge's call goes through the worker's model layer at temperature 0, so a retry is answered
 * by the response cache; its cost comes back in `judgeTotals`.
 */
/** The run's id, for its spotlighting boundary; none outside an activity. */
function runIdOf(): string | undefined {
  try {
    return Context.current().info.workflowExecution?.runId;
  } catch {
    return undefined;
  }
}

export function createCitationActivities(conversations: ConversationStore, services: EntailmentServices) {
  return {
    async checkAnswerCitations(input: CheckAnswerCitationsInput): Promise<CitationReport> {
      const { conversation } = await conversations.append(
        input.conversation.base,
        undefined,
        input.conversation.append,
      );
      const passages = new Map<string, string>();
      for (const message of conversation.messages)
        if (message.role === 'tool' && message.toolName === 'retrieve')
          for (const [id, text] of retrievedPassages(message.content)) passages.set(id, text);
      const report = checkCitations(input.answer, passages);
      if (!input.entailmentModel || report.invalid.length > 0) return report;
      const judged = await judgeEntailment(report.claims, passages, {
        model: input.entailmentModel,
        boundary: spotlightBoundary(runIdOf() ?? randomUUID()),
        ...services,
      });
      const claims = report.claims.map((claim, index) => {
        const verdict = judged.verdicts.get(index);
        if (!verdict) return claim;
        const status: typeof claim.status = verdict.entailed ? 'supported' : 'unsupported';
        return { ...claim, status, entailment: verdict };
      });
      const count = (status: string) => claims.filter((claim) => claim.status === status).length;
      return {
        ...report,
        claims,
        supported: count('supported'),
        unsupported: count('unsupported'),
        judge: { model: input.entailmentModel, ...(judged.unusable ? { unusable: judged.unusable } : {}) },
        ...(judged.totals.modelCalls > 0 ? { judgeTotals: judged.totals } : {}),
      };
    },
  };
}
