import type { AgentProgress, AgentResult } from '../common/agent.js';
import type { traceSegmentReader } from '../workers/local-tools/trace-segments.js';
import { withWholeTrace, type ReadStoredText, type ReadTraceSegment } from './agent-trace.js';
import { formatAwaitingApproval, formatResult, formatStep, formatWaiting } from './format-agent.js';
import { followAgentRun, type AgentHandle } from './llmos-client.js';
import { withRestoredAnswer } from './restore-answer.js';

/**
 * Runs `use` with readers of what runs keep in the blob store (the trace segments of long runs,
 * stored texts), from the store this environment's workers use (opened on the first read,
 * closed after `use`).
 */
export async function withTraceReader<T>(
  use: (read: ReadTraceSegment, readText: ReadStoredText) => Promise<T>,
): Promise<T> {
  let reader: ReturnType<typeof traceSegmentReader> | undefined;
  const open = async () =>
    (reader ??= (await import('../workers/local-tools/trace-segments.js')).traceSegmentReader());
  try {
    return await use(
      async (segment) => (await open()).read(segment),
      async (ref) => (await open()).readText(ref),
    );
  } finally {
    await reader?.close();
  }
}

/** How long a run may show nothing new before the follower says what it waits for, and again after. */
const silenceNoticeMs = 15_000;

/**
 * A sign of life while a run shows nothing new (a slow or hung model call can take minutes, up
 * to its attempt timeout): after `silenceNoticeMs` without a new step, and every as long again,
 * one line saying what the run waits for and since when.
 */
export class SilenceNotice {
  private lastStepCount = -1;
  private quietSince: number;
  private noticedAt: number;

  constructor(
    private readonly write: (line: string) => void,
    private readonly clock: () => number = Date.now,
  ) {
    this.quietSince = this.noticedAt = clock();
  }

  observe(progress: AgentProgress): void {
    const now = this.clock();
    if (progress.stepCount !== this.lastStepCount || progress.status !== 'running') {
      this.lastStepCount = progress.stepCount;
      this.quietSince = now;
      this.noticedAt = now;
      return;
    }
    if ((progress.awaitingApproval ?? []).length > 0 || now - this.noticedAt < silenceNoticeMs) return;
    this.noticedAt = now;
    const seconds = Math.round((now - this.quietSince) / 1000);
    this.write(
      `… still on iteration ${progress.iteration} (${progress.model}): nothing new for ${seconds} s`,
    );
  }
}

/** Exit codes of `agent` and `raise`: scripts can tell an answer from a stop without one. */
export const exitCodes = { answer: 0, error: 1, stoppedOnCap: 3, blocked: 4 } as const;

/** Follows a run, printing each step as it happens; returns the exit code for the outcome. */
export async function followAndPrint(
  handle: AgentHandle,
  options: { json: boolean; sinceStep?: number },
): Promise<number> {
  // Ctrl-C stops following, not the run: it goes on in Temporal and can be followed again.
  const onInterrupt = () => {
    console.error(`\nStopped following. The run goes on; see it with: npx llmos status ${handle.workflowId}`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    const announced = new Set<string>();
    const silence = new SilenceNotice((line) => console.error(line));
    return await withTraceReader(async (readSegment) => {
      const outcome = await followAgentRun(
        handle,
        (steps) => {
          if (!options.json) for (const step of steps) console.log(formatStep(step));
        },
        {
          readSegment,
          ...(options.sinceStep !== undefined ? { sinceStep: options.sinceStep } : {}),
          // Each waiting call once: what it is, and how to decide on it.
          onProgress: (progress) => silence.observe(progress),
          onAwaitingApproval: (pending) => {
            for (const call of pending)
              if (!options.json && !announced.has(call.toolCallId)) {
                announced.add(call.toolCallId);
                console.log(formatAwaitingApproval(call));
              }
          },
        },
      );
      if (outcome.kind === 'waiting_for_caps') {
        console.log(
          options.json
            ? JSON.stringify(outcome.progress, null, 2)
            : formatWaiting(outcome.progress, handle.workflowId),
        );
        return exitCodes.stoppedOnCap;
      }
      await printResult(outcome.result, options.json, readSegment);
      return exitCodeFor(outcome.result);
    });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/**
 * Prints a result, its answer restored from the run's PII vault; as JSON with its whole trace,
 * the stored steps read with `read`.
 */
export async function printResult(result: AgentResult, json: boolean, read: ReadTraceSegment): Promise<void> {
  const shown = await withRestoredAnswer(result);
  console.log(json ? JSON.stringify(await withWholeTrace(shown, read), null, 2) : formatResult(shown));
}

/** 0 for an answer, 1 for an error, 4 for a run a guard blocked, 3 for any other stop (a cap, failed verification). */
export function exitCodeFor(result: { stopReason: string }): number {
  if (result.stopReason === 'answer') return exitCodes.answer;
  if (result.stopReason === 'blocked') return exitCodes.blocked;
  return result.stopReason === 'error' ? exitCodes.error : exitCodes.stoppedOnCap;
}
