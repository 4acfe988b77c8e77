import type { CitationReport } from '../../common/citations.js';
import type { ToolCallOptions } from '../../common/chat.js';
import { patched, setHandler } from '@temporalio/workflow';
import type {
  AgentInput,
  AgentProgress,
  AgentResult,
  AgentStatus,
  UnapprovedCall,
} from '../../common/agent.js';
import { agentProgressQuery, raiseCapsUpdate } from '../../common/messages.js';
import { CapsRaiseSchema, type RunError, type StopReason } from '../../common/run-contract.js';
import { CapsMeter } from '../lib/caps-meter.js';
import type { CapStop } from '../lib/caps.js';
import { modelsOutcome, recordRunEnd } from '../lib/run-ending.js';
import type { RunModels } from '../lib/run-models.js';
import { RunTrace } from '../lib/run-trace.js';
import type { RunGuards } from '../lib/run-guards.js';
import { RunApprovals } from '../lib/run-approvals.js';

type Stop = { stopReason: StopReason; detail: string };

/**
 * An agent run's state: its caps and use, its trace, where it stands, and the answers it gives
 * to `agentProgressQuery` and `raiseCapsUpdate`. Deterministic; lives in the workflow.
 */
export class AgentRun {
  readonly meter: CapsMeter;
  readonly trace: RunTrace;
  status: AgentStatus = 'running';
  /** Model calls started, over all the run's executions; a call that did no work is given back with `callDidNoWork`. */
  iteration: number;
  /** The model call this execution started at: a run continues as new after `continueAsNewAfter` calls. */
  readonly firstIteration: number;
  models: RunModels | undefined;
  /** The tools that run as local activities (pure ones), in a lean run. */
  pureTools: readonly string[] = [];
  /** The tools the run offers, by the names the model calls them; set once the run knows its tools. */
  offeredTools: readonly string[];
  /** Tools whose calls run with their own timeout or retries, by name. */
  toolCalls: Readonly<Record<string, ToolCallOptions>>;
  /**
   * Steps that write less history: no timer per model call (the deadline is the call's
   * schedule-to-close timeout), pure tools as local activities, search attributes every few
   * calls. Runs recorded before keep their steps as they were.
   */
  readonly leanSteps = patched('lean-agent-steps');
  /**
   * Runs of any length: the trace goes to the blob store a segment at a time, and the run
   * continues as new when Temporal suggests it or after `continueAsNewAfter` calls.
   */
  readonly longRuns = patched('agent-long-runs');
  /** The run's guard pipeline; none in runs recorded before it. */
  guards: RunGuards | undefined;
  /** Tool calls that wait for a person; set once the run knows its tools. */
  approvals: RunApprovals;
  /** Set when the model called `escalate_to_human`: the run's result asks for a person. */
  escalation: { reason: string } | undefined;
  /** Calls that waited for a person and did not run. */
  readonly unapproved: UnapprovedCall[];
  private stop: Stop | undefined;
  private answer: string | null = null;

  constructor(readonly input: AgentInput) {
    const { continued } = input;
    this.meter = new CapsMeter(input.caps, continued?.startedAt ?? Date.now(), continued?.totals);
    this.iteration = continued?.iteration ?? 0;
    this.firstIteration = this.iteration;
    this.pureTools = continued?.pureTools ?? [];
    this.offeredTools = continued?.offeredTools ?? input.tools;
    this.toolCalls = continued?.toolCalls ?? {};
    this.trace = new RunTrace(continued?.traceSegments ?? [], this.longRuns);
    this.approvals = new RunApprovals(input.approval, input.tools, input.recordSearchAttributes);
    this.approvals.mark(continued?.approvalTools ?? []);
    this.escalation = continued?.escalation;
    this.unapproved = [...(continued?.unapproved ?? [])];
  }

  /** Answers progress queries, and takes raises (never a lowering, never after the end). */
  handleMessages(): void {
    setHandler(agentProgressQuery, (sinceStep: number) => this.progress(sinceStep));
    this.approvals.handleMessages();
    setHandler(
      raiseCapsUpdate,
      (raise) => {
        const caps = this.meter.raise(raise);
        this.trace.push({ kind: 'caps_raised', iteration: this.iteration, caps });
        return caps;
      },
      {
        validator: (raise) => {
          if (this.status === 'finished') throw new Error('the run has finished');
          const problem = this.meter.checkRaise(CapsRaiseSchema.parse(raise));
          if (problem) throw new Error(problem);
        },
      },
    );
  }

  /** The cap that stops the next call, judged with the calls started so far. */
  exhaustedCap(elapsedMs?: number): CapStop | undefined {
    return this.meter.exhausted({
      iterations: this.iteration,
      ...(elapsedMs !== undefined ? { elapsedMs } : {}),
    });
  }

  /** Stopped on a cap, waiting for a raise; `undefined` when the wait is over. */
  holdAt(stop: Stop | undefined): void {
    this.stop = stop;
    this.status = stop ? 'waiting_for_caps' : 'running';
  }

  /** The call just started did no work: its iteration is given back. */
  callDidNoWork(): void {
    this.iteration -= 1;
  }

  finish(
    stopReason: StopReason,
    detail: string,
    extra: { answer?: string; error?: RunError; citations?: CitationReport | undefined } = {},
  ): AgentResult {
    this.status = 'finished';
    this.stop = { stopReason, detail };
    this.answer = extra.answer ?? null;
    recordRunEnd(this.input.recordSearchAttributes, this.meter.totals, this.stop);
    return {
      answer: this.answer,
      stopReason,
      stopDetail: detail,
      iterations: this.iteration,
      caps: this.meter.caps,
      totals: this.meter.totals,
      trace: this.trace.recent,
      ...(this.trace.segments.length > 0 ? { traceSegments: this.trace.segments } : {}),
      ...(this.input.continued ? { executions: this.input.continued.execution } : {}),
      ...modelsOutcome(this.models),
      ...this.guards?.outcome,
      ...(extra.error ? { error: extra.error } : {}),
      ...(extra.citations ? { citations: extra.citations } : {}),
      ...(this.escalation ? { escalation: this.escalation } : {}),
      ...(this.unapproved.length > 0 ? { unapproved: this.unapproved } : {}),
    };
  }

  private progress(sinceStep: number): AgentProgress {
    return {
      status: this.status,
      model: this.input.model,
      iteration: this.iteration,
      caps: this.meter.caps,
      totals: this.meter.totals,
      elapsedMs: this.meter.elapsedMs(),
      ...(this.stop ? { stopReason: this.stop.stopReason, stopDetail: this.stop.detail } : {}),
      answer: this.answer,
      ...(this.approvals.waiting.length > 0 ? { awaitingApproval: this.approvals.waiting } : {}),
      stepCount: this.trace.count,
      ...this.trace.since(sinceStep),
    };
  }
}
