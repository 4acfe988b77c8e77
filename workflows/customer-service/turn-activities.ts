import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { localActivityOptions } from '../lib/activity-options.js';

/** The activities around a turn's agent run. */
export const { detectLanguage, runTool } = proxyActivities<Activities>(localActivityOptions);

/**
 * The session's own model calls (the message's assessment, the reply's review): one call each,
 * with an answer of their own when the model fails, so Temporal retries only a lost worker.
 */
export const { assessMessage, reviewReply } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 2, initialInterval: '1 second' },
});
