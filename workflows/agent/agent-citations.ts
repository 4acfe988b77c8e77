import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { CitationReport } from '../../common/citations.js';
import { localActivityOptions } from '../lib/activity-options.js';
import type { AgentConversation } from './agent-conversation.js';
import type { AgentRun } from './agent-run.js';

const { checkAnswerCitations } = proxyActivities<Activities>(localActivityOptions);

/**
 * The answer's citations checked against the passages the run retrieved, for a run that offered
 * `retrieve`; undefined otherwise. With `citationCheck.entailment`, the run's current model judges
 * each claim too, and its call counts in the run's totals. Deterministic: one activity, gated by
 * a patch so runs recorded before it replay as they ran.
 */
export async function checkCitationsOf(
  run: AgentRun,
  conversation: AgentConversation,
  answer: string,
): Promise<CitationReport | undefined> {
  if (!run.input.tools.includes('retrieve') || !patched('knowledge-citations')) return undefined;
  const stored = conversation.stored;
  if (!stored) return undefined;
  const model = run.input.citationCheck.entailment ? run.models?.current : undefined;
  const report = await checkAnswerCitations({
    answer,
    conversation: stored,
    ...(model ? { entailmentModel: model } : {}),
  });
  if (report.judgeTotals) run.meter.addRun(report.judgeTotals);
  return report;
}
