/**
 * The failure converter of a worker or client whose payloads are encrypted: a failure's message
 * and stack trace go into its encoded attributes, a payload the codec encrypts, instead of
 * staying in the clear in history. Loaded by path (`encodedFailuresPath`), in the workflow
 * bundle too, so it imports nothing but the SDK's common package.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
