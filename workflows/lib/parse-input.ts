import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { describeIssues } from '../../common/describe-issues.js';
import { ErrorType } from '../../common/errors.js';

/**
 * A workflow's input, validated. A plain throw would fail the workflow task and retry forever;
 * bad input must fail the run, once, with what is wrong.
 */
export function parseWorkflowInput<Schema extends z.ZodType>(
  schema: Schema,
  request: unknown,
): z.output<Schema> {
  const parsed = schema.safeParse(request);
  if (parsed.success) return parsed.data;
  throw ApplicationFailure.create({
    type: ErrorType.InvalidInput,
    message: describeIssues(parsed.error.issues).join('; '),
    nonRetryable: true,
  });
}
