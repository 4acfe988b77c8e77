import { ApplicationFailure, CancellationScope } from '@temporalio/workflow';
import type { BlobRef } from '../../common/blob-ref.js';
import type { ChatMessage, ResponseFormat } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import { formatPromptRef, type PromptRef } from '../../common/prompt-template.js';
import {
  parseStructuredOutput,
  toResponseFormat,
  withRepairTurns,
  type OutputDefinition,
  type RepairTurn,
} from '../../common/structured-output.js';
import { messageTokenBound, utf8Bytes } from '../../common/token-bound.js';
import type { ModelStep } from '../../common/trace-steps.js';
import type { CapsMeter } from './caps-meter.js';
import type { PromptSet } from './prompts.js';
import type { RunModels } from './run-models.js';
import { recordModelCall } from './trace-steps.js';
import { plural } from '../../common/plural.js';
import { withCanary } from '../../common/canary.js';

/** Messages the workflow rendered: every attempt sends them whole, with its repair turns. */
export interface RenderedRequest {
  messages: ChatMessage[];
}

/**
 * The prompt's variables: the activity renders the template, so an attempt's history carries the
 * variables and no template text, and the budget reserves a bound counted from `prompts` (the
 * run's templates). A long value stays in the blob store (`BlobRef`). Each attempt's deadline is
 * its own schedule-to-close timeout, which writes no timer.
 */
export interface VariablesRequest {
  prompts: PromptSet;
  variables: Record<string, string | BlobRef>;
  /** A canary token for the rendered system prompt (`RunGuards.canaryFor`), which the activity adds. */
  canary?: string | undefined;
}

export interface StructuredCallOptions<T> {
  output: OutputDefinition<T>;
  prompt: PromptRef;
  request: RenderedRequest | VariablesRequest;
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
 * problems, at most `maxRepairs` times. The run's deadline cuts off an attempt in flight.
 *
 * @throws ApplicationFailure `ModelOutputInvalid` (non-retryable) when the repairs run out.
 * @throws CapReached when a cap leaves no room for the next attempt.
 */
export function generateStructured<T>(models: RunModels, options: StructuredCallOptions<T>): Promise<T> {
  if ('variables' in options.request) return repairUntilValid(models, options);
  return CancellationScope.withTimeout(options.meter.timeLeftMs(), () => repairUntilValid(models, options));
}

async function repairUntilValid<T>(models: RunModels, options: StructuredCallOptions<T>): Promise<T> {
  const { meter, output, prompt, temperature, request } = options;
  const responseFormat = toResponseFormat(output);
  const repairs: RepairTurn[] = [];
  let problems: string[] = [];
  for (let attempt = 0; attempt <= options.maxRepairs; attempt += 1) {
    const call = await models.call({
      iteration: meter.nextIteration(),
      prepare: () => meter.nextCallAllowance(),
      reservation: (maxOutputTokens) =>
        'variables' in request
          ? {
              tokens: {
                inputTokens: inputTokensBound(request, prompt, repairs, responseFormat),
                outputTokens: maxOutputTokens,
              },
            }
          : {
              request: {
                messages: withRepairTurns(request.messages, repairs),
                tools: [],
                responseFormat,
                ...(temperature !== undefined ? { temperature } : {}),
                maxOutputTokens,
              },
            },
      invoke: ({ name, activities, fallbackFrom }, maxOutputTokens) => {
        const common = {
          model: name,
          ...(fallbackFrom ? { fallbackFrom } : {}),
          output: output.name,
          prompt,
          temperature,
          maxOutputTokens,
        };
        return 'variables' in request
          ? activities.generateStructured.executeWithOptions({ scheduleToCloseTimeout: meter.timeLeftMs() }, [
              {
                ...common,
                variables: request.variables,
                ...(request.canary ? { canary: request.canary } : {}),
                ...(repairs.length > 0 ? { repairs: [...repairs] } : {}),
              },
            ])
          : activities.generateStructured({
              ...common,
              messages: withRepairTurns(request.messages, repairs),
            });
      },
      costOf: (call) => call.costUsd,
      timeLeftMs: () => meter.timeLeftMs(),
    });
    recordModelCall(meter, options.trace, call, prompt);
    // The activity validated the answer with this same definition: parsing its text here gives
    // the workflow its typed value, which the activity's result does not carry a second time.
    const parsed = call.parsed.ok
      ? parseStructuredOutput(output, call.response.message.content)
      : call.parsed;
    if (parsed.ok) {
      const value = parsed.value as T;
      problems = options.check?.(value) ?? [];
      if (problems.length === 0) return value;
    } else {
      problems = parsed.problems;
    }
    repairs.push({ output: call.response.message.content, problems });
  }
  throw ApplicationFailure.create({
    type: ErrorType.ModelOutputInvalid,
    message:
      `${output.name} output from ${models.current} (${formatPromptRef(prompt)}) still invalid ` +
      `after ${plural(options.maxRepairs, 'repair')}: ${problems.join('; ')}`,
    nonRetryable: true,
  });
}

/**
 * An upper bound of an attempt's input tokens, counted without the activity: the template
 * rendered here with its inline variables, each stored one by its size, the repair turns and the
 * response format.
 */
function inputTokensBound(
  { prompts, variables, canary }: VariablesRequest,
  prompt: PromptRef,
  repairs: readonly RepairTurn[],
  responseFormat: ResponseFormat,
): number {
  let stored = 0;
  const inline: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value === 'string') inline[name] = value;
    else {
      inline[name] = '';
      stored += value.bytes;
    }
  }
  const rendered = prompts.render(prompt, inline);
  const messages = withRepairTurns(canary ? withCanary(rendered, canary) : rendered, repairs);
  return (
    messages.reduce((sum, message) => sum + messageTokenBound(message), stored) +
    utf8Bytes(JSON.stringify(responseFormat))
  );
}
