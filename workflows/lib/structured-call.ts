import { ApplicationFailure } from '@temporalio/workflow';
import type { GenerateStructuredOutput } from '../../activities/index.js';
import type { ChatMessage } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import { formatPromptRef, type PromptRef } from '../../common/prompt-template.js';
import { repairMessage, toResponseFormat, type OutputDefinition } from '../../common/structured-output.js';
import type { RunModels } from './run-models.js';
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
  /** Runs before every attempt: throws to stop (a cap), returns the output tokens the call may use. */
  beforeCall: () => number;
  /** Where in the run the attempt is (its model-call number), for the fallbacks record. */
  iteration: () => number;
  /** Every attempt's call, for the run's totals and trace. */
  onCall: (call: GenerateStructuredOutput) => void;
}

/**
 * One structured answer with a bounded repair loop. Each attempt is one `generateStructured`
 * activity (so a crash never repeats a finished attempt), made through the run's models (its
 * chain and shared budget); an answer that fails the schema or `check` goes back to the model
 * with the problems, at most `maxRepairs` times.
 *
 * @throws ApplicationFailure `ModelOutputInvalid` (non-retryable) when the repairs run out.
 */
export async function generateStructured<T>(
  models: RunModels,
  options: StructuredCallOptions<T>,
): Promise<T> {
  let messages = options.messages;
  let problems: string[] = [];
  for (let attempt = 0; attempt <= options.maxRepairs; attempt += 1) {
    const call = await models.call({
      iteration: options.iteration(),
      prepare: options.beforeCall,
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
    options.onCall(call);
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
