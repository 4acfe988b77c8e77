import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { strongestAction, type GuardRun, type GuardStage, type GuardStep } from '../../common/guards.js';
import type { PiiType } from '../../common/pii.js';
import { canaryToken, withCanary } from '../../common/canary.js';
import type { ChatMessage } from '../../common/chat.js';
import type { RunTotals } from '../../common/run-contract.js';
import { localActivityOptions } from './activity-options.js';

const { applyGuards } = proxyActivities<Activities>(localActivityOptions);

/** A guard step's word to the workflow: go on with `text` (masked, perhaps), or stop, and why. */
export type Guarded = { text: string } | { blocked: string };

/**
 * A run's guard pipeline, workflow side: the run's tenant and vault as every guard step takes
 * them, and the verdicts that did more than let a text pass (they go into the result; every
 * verdict is in history and the audit trail). Deterministic: the verdicts come from activities.
 */
export class RunGuards {
  private constructor(
    readonly run: GuardRun,
    readonly steps: GuardStep[],
    /** The canary tokens of the run's system prompts (`framed`). */
    readonly canaries: string[],
    /** Where the run counts what its guards' model judges used, with its own model calls. */
    private readonly meter: { addRun(totals: RunTotals): void } | undefined,
  ) {}

  /**
   * The run's guards. Runs recorded before guards existed judged nothing (`patched('guards')` is
   * false when they replay): they have none. A child run shares its parent's vault (`piiVault`);
   * a run's own vault is named by its first execution, so it survives continue-as-new.
   */
  static start(
    input: { tenant?: string | undefined; piiVault?: string | undefined },
    earlier: { steps?: readonly GuardStep[] | undefined; canaries?: readonly string[] | undefined } = {},
    meter?: { addRun(totals: RunTotals): void },
  ): RunGuards | undefined {
    if (!patched('guards')) return undefined;
    const run: GuardRun = {
      vaultId: input.piiVault ?? workflowInfo().firstExecutionRunId,
      ...(input.tenant ? { tenant: input.tenant } : {}),
    };
    return new RunGuards(run, [...(earlier.steps ?? [])], [...(earlier.canaries ?? [])], meter);
  }

  /**
   * `messages` with a canary token in their system prompt, which the output stage looks for in
   * the answer (the prompt leaked). The token is derived from the system prompt's own text, so
   * two runs with one prompt send the same request (the response cache still answers it).
   */
  framed(messages: readonly ChatMessage[]): ChatMessage[] {
    const system = messages.find((message) => message.role === 'system')?.content ?? '';
    return withCanary(messages, this.canaryFor(system));
  }

  /**
   * The canary token of a system prompt an activity renders (from `seed`, the template's system
   * text), which the output stage then looks for: the activity adds its line (`withCanary`).
   */
  canaryFor(seed: string): string {
    const token = canaryToken(seed);
    if (!this.canaries.includes(token)) this.canaries.push(token);
    return token;
  }

  /** Runs one stage on a text the workflow holds (an activity): the question, the answer. */
  async check(stage: GuardStage, subject: string, text: string): Promise<Guarded> {
    const run =
      stage === 'output' && this.canaries.length > 0 ? { ...this.run, canaries: this.canaries } : this.run;
    const { step, masked } = await applyGuards({ stage, subject, text, run });
    const blocked = this.record(step);
    return blocked ? { blocked } : { text: masked ?? text };
  }

  /**
   * Keeps a verdict an activity gave (a tool's result), and counts its judges' calls with the
   * run's; returns why it blocks, if it does.
   */
  record(step: GuardStep | undefined): string | undefined {
    if (step?.judgeTotals) this.meter?.addRun(step.judgeTotals);
    if (!step || step.verdict === 'allow') return undefined;
    this.steps.push(step);
    return step.verdict === 'block' ? blockDetail(step) : undefined;
  }

  /** Why the run must stop: the first verdict that blocked, if any did. */
  get blocked(): string | undefined {
    const step = this.steps.find((candidate) => candidate.verdict === 'block');
    return step ? blockDetail(step) : undefined;
  }

  /** What the result says: the verdicts that did more than pass a text, and the vault when a value was masked. */
  get outcome(): { guards?: GuardStep[]; piiVault?: string } {
    return {
      ...(this.steps.length > 0 ? { guards: this.steps } : {}),
      ...(this.steps.some((step) => step.maskedCounts) ? { piiVault: this.run.vaultId } : {}),
    };
  }
}

/**
 * One stage on one text of a run with `guards`; a run recorded before guards existed (none) goes
 * on with the text as it is.
 */
export async function judge(
  guards: RunGuards | undefined,
  stage: GuardStage,
  subject: string,
  text: string,
): Promise<Guarded> {
  return guards ? await guards.check(stage, subject, text) : { text };
}

/**
 * Many verdicts of one kind of text (a document's chunks) in a few steps, so a result stays small
 * however long the text: the masks summed into one step, the first `keep` flags and blocks as
 * they were, and a count of the rest.
 */
export function summarizeSteps(steps: readonly GuardStep[], subject: string, keep = 5): GuardStep[] {
  const masks = steps.filter((step) => step.verdict === 'mask');
  const others = steps.filter((step) => step.verdict !== 'mask');
  const summary: GuardStep[] = others.slice(0, keep);
  if (others.length > keep)
    summary.push({
      stage: others[keep]!.stage,
      verdict: strongestAction(others.slice(keep).map((step) => step.verdict)),
      reasons: [`${others.length - keep} more verdicts`],
      subject,
    });
  if (masks.length > 0) {
    const counts: Partial<Record<PiiType, number>> = {};
    for (const step of masks)
      for (const [type, count] of Object.entries(step.maskedCounts ?? {}) as [PiiType, number][])
        counts[type] = (counts[type] ?? 0) + count;
    const listed = Object.entries(counts).map(([type, count]) => `${count} ${type}`);
    summary.push({
      stage: masks[0]!.stage,
      verdict: 'mask',
      reasons: [`personal data in ${masks.length} of its texts: ${listed.join(', ')}`],
      maskedCounts: counts,
      subject,
    });
  }
  return summary;
}

function blockDetail(step: GuardStep): string {
  return `the ${step.subject} was blocked (${step.stage} guard): ${step.reasons.join('; ')}`;
}
