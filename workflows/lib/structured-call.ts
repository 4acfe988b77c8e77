import { ApplicationFailure, CancellationScope } from '@temporalio/workflow';
import type { ChatMessage } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import { formatPromptRef, type PromptRef } from '../../common/prompt-template.js';
import { repairMessage, toResponseFormat, type OutputDefinition } from '../../common/structured-output.js';
import type { ModelStep } from '../../common/trace-steps.js';
import type { CapsMeter } from './caps-meter.js';
import type { RunModels } from './run-models.js';
import { recordModelCall } from './trace-steps.js';
import { plural } from '../../common/plural.js';

export interface StructuredCallOptions<T> {
  output: OutputDefinition<T>;
  prompt: PromptRef;
  messages: ChatMessage[];
  temperature?: number;
  /** Repair turns after the first answer; past them the call fails with `ModelOutputInvalid`. */
  maxRepairs: number;
  /** Problems only the workflow can see (e.g. a tool that does not exist); repaired like schema errors. */
  check?: (value: T) => string[];
  /** The run's caps, checked before every attempt; every attempt is counted in it. */
  meter: CapsMeter;
  /** The run's trace: every attempt's call is added to it. */
  trace: { push(step: ModelStep): unknown };
}

/**
 * One structured answer with a bounded repair loop, within the run's caps. Each attempt is one
 * `generateStructured` activity (so a crash never repeats a finished attempt), made through the
 * run's models (its chain and shared budget) after a check of the caps, and counted in the meter
 * and the trace; an answer that fails the schema or `check` goes back to the model with the
 * problems, at most `maxRepairs` times. The run's deadline cancels an attempt in flight.
 *
 * @throws ApplicationFailure `ModelOutputInvalid` (non-retryable) when the repairs run out.
 * @throws CapReached when a cap leaves no room for the next attempt.
 */
export function generateStructured<T>(models: RunModels, options: StructuredCallOptions<T>): Promise<T> {
  return CancellationScope.withTimeout(options.meter.timeLeftMs(), () => repairUntilValid(models, options));
}

async function repairUntilValid<T>(models: RunModels, options: StructuredCallOptions<T>): Promise<T> {
  const { meter } = options;
  let messages = options.messages;
  let problems: string[] = [];
  for (let attempt = 0; attempt <= options.maxRepairs; attempt += 1) {
    const call = await models.call({
      iteration: meter.nextIteration(),
      prepare: () => meter.nextCallAllowance(),
      // The request the activity sends, so the budget reserves its real worst case.
      reservation: (maxOutputTokens) => ({
        request: {
          messages,
          tools: [],
          responseFormat: toResponseFormat(options.output),
          ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
          maxOutputTokens,
        },
      }),
      invoke: ({ name, activities }, maxOutputTokens) =>
        activities.generateStructured({
          model: name,
          output: options.output.name,
          prompt: options.prompt,
          messages,
          temperature: options.temperature,
          maxOutputTokens,
        }),
      costOf: (call) => call.costUsd,
    });
    recordModelCall(meter, options.trace, call, options.prompt);
    if (call.parsed.ok) {
      // The activity validated the value with this same schema; parsing again gives the workflow its type.
      const value = options.output.schema.parse(call.parsed.value);
      problems = options.check?.(value) ?? [];
      if (problems.length === 0) return value;
    } else {
      problems = call.parsed.problems;
    }
    messages = [
      ...messages,
      { role: 'assistant', content: call.response.message.content, toolCalls: [] },
      repairMessage(problems),
    ];
  }
  throw ApplicationFailure.create({
    type: ErrorType.ModelOutputInvalid,
    message:
      `${options.output.name} output from ${models.current} (${formatPromptRef(options.prompt)}) still invalid ` +
      `after ${plural(options.maxRepairs, 'repair')}: ${problems.join('; ')}`,
    nonRetryable: true,
  });
}
