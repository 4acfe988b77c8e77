import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { CitationReport } from '../../common/citations.js';
import { localActivityOptions } from '../lib/activity-options.js';
import type { AgentConversation } from './agent-conversation.js';
import type { AgentRun } from './agent-run.js';

const { checkAnswerCitations } = proxyActivities<Activities>(localActivityOptions);

/**
 * The answer's citations checked against the passages the run retrieved, for a run that offered
 * `retrieve`; undefined otherwise. Deterministic: one activity, gated by a patch so runs recorded
 * before it replay as they ran.
 */
export async function checkCitationsOf(
  run: AgentRun,
  conversation: AgentConversation,
  answer: string,
): Promise<CitationReport | undefined> {
  if (!run.input.tools.includes('retrieve') || !patched('knowledge-citations')) return undefined;
  const stored = conversation.stored;
  if (!stored) return undefined;
  return checkAnswerCitations({ answer, conversation: stored });
}
