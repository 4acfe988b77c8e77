import type { AgentInput } from '../../common/agent.js';

/** The variables an agent's template is rendered with: the question, then whatever the caller adds. */
export function agentPromptVariables(
  input: Pick<AgentInput, 'question' | 'promptVariables'>,
): Record<string, string> {
  return { ...input.promptVariables, question: input.question };
}
