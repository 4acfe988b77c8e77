import type { Command } from 'commander';
import { feedbackScores } from '../../common/feedback.js';
import { connectionFlags, type ConnectionOptionValues } from '../cli-options.js';

export function registerFeedbackCommand(program: Command): void {
  program
    .command('feedback')
    .description(
      `Record a person's score of a run (${feedbackScores.min} bad to ${feedbackScores.max} good), open or closed; llmos stats and the monitors read it`,
    )
    .argument('<workflow-id>', "the run's workflow id")
    .requiredOption('--score <n>', `${feedbackScores.min} to ${feedbackScores.max}`, Number)
    .option('--comment <text>', 'what was good or bad about it')
    .action(
      async (workflowId: string, flags: { score: number; comment?: string } & ConnectionOptionValues) => {
        const [{ connectClient }, { recordFeedback }] = await Promise.all([
          import('../llmos-client.js'),
          import('../feedback.js'),
        ]);
        const client = await connectClient(connectionFlags(flags));
        const id = await recordFeedback(client, {
          workflowId,
          score: flags.score,
          ...(flags.comment !== undefined ? { comment: flags.comment } : {}),
        });
        console.log(`Feedback ${flags.score} on ${workflowId} recorded as ${id}`);
      },
    );
}
