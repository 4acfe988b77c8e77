import { InvalidArgumentError, Option, type Command } from 'commander';
import { chooseDefaultModel } from '../default-model.js';
import {
  addCapOptions,
  capsFromFlags,
  connectionFlags,
  duration,
  list,
  positiveInteger,
  type CapFlags,
  type ConnectionOptionValues,
} from '../cli-options.js';

interface EvalFlags extends CapFlags {
  /** `react` is the agent's earlier name, still accepted. */
  workflow: 'agent' | 'psv' | 'react' | 'customer-service';
  model?: string;
  tools: string[];
  samples: number;
  temperature: number;
  promptVersion: string[];
  concurrency: number;
  limit?: number;
  offset?: number;
  requireTool?: string | false;
  feedbackWindow: number;
  json?: boolean;
}

function temperature(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || number > 2)
    throw new InvalidArgumentError(`"${value}" is not a temperature between 0 and 2.`);
  return number;
}

function collectVersion(value: string, previous: string[]): string[] {
  const versions = [...previous, ...list(value)];
  if (versions.length > 2) throw new InvalidArgumentError('at most two prompt versions can be compared.');
  return versions;
}

export function registerEvalCommand(program: Command): void {
  addCapOptions(program.command('eval'), ' per run')
    .description(
      'Run a JSONL dataset through a workflow and report accuracy, consistency, tokens, cost and latency',
    )
    .argument(
      '<dataset.jsonl>',
      'rows of {"question", "answer": "... #### 42"} (GSM8K) or {"question", "expected"}; for customer-service, {"id", "category", "language", "message", "expect"} (examples/eval)',
    )
    .addOption(
      new Option(
        '--workflow <name>',
        'the workflow each item runs (react: the same as agent; customer-service: a session per case)',
      )
        .choices(['agent', 'psv', 'react', 'customer-service'])
        .default('agent'),
    )
    .option('--model <provider:model>', 'the model (default: from the environment, else the scripted model)')
    .option('--tools <names>', 'comma-separated tools', list, ['calculator'])
    .option(
      '--samples <n>',
      'samples per item; above 1 they are voted (self-consistency)',
      positiveInteger,
      1,
    )
    .option('--temperature <t>', 'sampling temperature when --samples is above 1', temperature, 0.7)
    .option(
      '--prompt-version <version>',
      'version of agent.system (agent) or psv.plan (psv); give two to compare them side by side',
      collectVersion,
      [],
    )
    .option('--concurrency <n>', 'items run at once', positiveInteger, 4)
    .option('--limit <n>', 'only the first n items (after --offset)', positiveInteger)
    .option('--offset <n>', 'skip the first n items', (value) => (value === '0' ? 0 : positiveInteger(value)))
    .option(
      '--require-tool <name>',
      'count an answer as correct only if the run called a tool (default for number datasets: calculator)',
    )
    .option('--no-require-tool', 'do not require a tool call')
    .option(
      '--feedback-window <duration>',
      "how far back the people's feedback on this kind of run (llmos feedback) shown beside the dataset's figures goes",
      duration,
      7 * 24 * 3_600_000,
    )
    .option('--json', 'print the reports as JSON')
    .action(async (file: string, flags: EvalFlags & ConnectionOptionValues) => {
      if (flags.workflow === 'customer-service') return evaluateSessions(file, flags);
      const [
        { loadEvalDataset },
        { runEval },
        { formatMisses, formatReports },
        { connectClient },
        { feedbackOfKind },
        { defaultTaskQueue },
      ] = await Promise.all([
        import('../eval/dataset.js'),
        import('../eval/run-eval.js'),
        import('../eval/format-report.js'),
        import('../llmos-client.js'),
        import('../feedback.js'),
        import('../../common/task-queues.js'),
      ]);
      const dataset = await loadEvalDataset(file, { limit: flags.limit, offset: flags.offset });
      const model = flags.model ?? chooseDefaultModel(process.env).model;
      const versions = flags.promptVersion.length > 0 ? flags.promptVersion : ['v1'];
      const requireTool =
        flags.requireTool === false
          ? undefined
          : (flags.requireTool ??
            (dataset.kind === 'number' && flags.tools.includes('calculator') ? 'calculator' : undefined));
      const client = await connectClient(connectionFlags(flags));
      const reports = [];
      const workflow = flags.workflow === 'psv' ? 'psv' : 'agent';
      for (const promptVersion of versions) {
        if (!flags.json)
          console.log(
            `Evaluating ${dataset.items.length} items with ${workflow} on ${model}, prompt version ${promptVersion}`,
          );
        const report = await runEval(
          client,
          dataset,
          {
            workflow,
            model,
            tools: flags.tools,
            samples: flags.samples,
            temperature: flags.temperature,
            promptVersion,
            concurrency: flags.concurrency,
            requireTool,
            caps: capsFromFlags(flags),
          },
          (outcome, done) => {
            if (!flags.json)
              process.stdout.write(
                `  ${done}/${dataset.items.length} #${outcome.id} ${outcome.correct ? 'correct' : 'wrong'}\n`,
              );
          },
        );
        reports.push(report);
      }
      // What people said of this kind of run in production, beside what the dataset says.
      const taskQueue = process.env.LLMOS_TASK_QUEUE ?? defaultTaskQueue;
      const feedback = await feedbackOfKind(client, {
        kind: workflow,
        since: new Date(Date.now() - flags.feedbackWindow),
        taskQueue,
      });
      if (flags.json) {
        console.log(
          JSON.stringify(
            reports.map((report) => ({ ...report, productionFeedback: feedback })),
            null,
            2,
          ),
        );
        return;
      }
      console.log(`\n${formatReports(reports)}`);
      const window = `${Math.round(flags.feedbackWindow / 3_600_000)} h`;
      console.log(
        feedback.meanScore === null
          ? `\nFeedback on ${workflow} runs of ${taskQueue} in the last ${window}: none given`
          : `\nFeedback on ${workflow} runs of ${taskQueue} in the last ${window}: mean ${feedback.meanScore.toFixed(2)} of ${feedback.count} (1 to 5)`,
      );
      const misses = reports.flatMap(formatMisses);
      if (misses.length > 0) console.log(`\nNot correct:\n${misses.join('\n')}`);
    });
}

/** `llmos eval --workflow customer-service`: each case in a new session; the share handled correctly. */
async function evaluateSessions(file: string, flags: EvalFlags & ConnectionOptionValues): Promise<void> {
  const [
    { loadSessionCases },
    { runSessionEval },
    { formatSessionReport },
    { connectClient },
    { traceSegmentReader },
  ] = await Promise.all([
    import('../eval/session-cases.js'),
    import('../eval/run-session-eval.js'),
    import('../eval/format-session-report.js'),
    import('../llmos-client.js'),
    import('../../workers/local-tools/trace-segments.js'),
  ]);
  const all = await loadSessionCases(file);
  const cases = all.slice(
    flags.offset ?? 0,
    flags.limit === undefined ? undefined : (flags.offset ?? 0) + flags.limit,
  );
  const model = flags.model ?? chooseDefaultModel(process.env, 'demo-support').model;
  const client = await connectClient(connectionFlags(flags));
  const reader = traceSegmentReader();
  try {
    if (!flags.json) console.log(`Evaluating ${cases.length} customer messages on ${model}, a session each`);
    const report = await runSessionEval(
      client,
      cases,
      { session: { model }, concurrency: flags.concurrency, readSegment: reader.read },
      (outcome, done) => {
        if (!flags.json)
          console.log(
            `  ${done}/${cases.length} ${outcome.id} ${outcome.correct ? 'correct' : 'not correct'}`,
          );
      },
    );
    console.log(flags.json ? JSON.stringify(report, null, 2) : `\n${formatSessionReport(report)}`);
    // A case that could not run is not a measurement: the evaluation did not finish.
    if (report.cases.some((outcome) => outcome.outcome === 'error')) process.exitCode = 1;
  } finally {
    await reader.close();
    await client.connection.close();
  }
}
