/** The steps a run's trace records, shared by the jobs that call models and tools themselves. */
import type { ToolCall, Usage } from './chat.js';
import type { PromptRef } from './prompt-template.js';
import type { ApprovalOutcome } from './approvals.js';

export interface ModelStep {
  kind: 'model';
  iteration: number;
  model: string;
  text: string;
  toolCalls: ToolCall[];
  finishReason: string;
  /** The template the conversation was rendered from. */
  prompt: PromptRef;
  usage: Usage;
  costUsd: number | null;
  latencyMs: number;
  /**
   * Answered from the response cache: what the original call cost (null: unknown price), and from
   * the semantic cache, how alike the stored question was (cosine similarity).
   */
  cacheHit?: { savedUsd: number | null; similarity?: number };
  /** In a run routed call by call (`auto`): this call's route, and why. */
  route?: { complexity: 'simple' | 'complex'; reasons: string[] };
  /**
   * The conversation was over the model's context window and was fitted before it was sent:
   * input tokens before and after, tool results cut, earlier steps left out.
   */
  contextFit?: { fromTokens: number; toTokens: number; cutResults: number; droppedSteps: number };
}

export interface ToolStep {
  kind: 'tool';
  iteration: number;
  toolName: string;
  arguments: string;
  ok: boolean;
  /** The observation given back to the model (shortened in the trace when long). */
  observation: string;
  latencyMs: number;
  /** The call waited for a person: what they decided, who, why, and how long it waited. */
  approval?: ApprovalOutcome;
}
