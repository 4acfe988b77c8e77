import { allHandlersFinished, condition, continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  CustomerServiceInputSchema,
  type CustomerServiceRequest,
  type SessionState,
} from '../common/customer-service.js';
import { CustomerSession } from './customer-service/customer-session.js';
import { handleSessionMessages } from './customer-service/session-handlers.js';
import { SessionStream } from './customer-service/session-stream.js';
import { localActivityOptions } from './lib/activity-options.js';
import { parseWorkflowInput } from './lib/parse-input.js';
import { recordRunOutcome } from './lib/run-search-attributes.js';

const { serviceConfig } = proxyActivities<Activities>(localActivityOptions);

/**
 * One customer-service conversation, for as long as it lasts. Each customer message is a
 * `sendMessageUpdate` that returns the reply; turns are answered one at a time, each by a child
 * agent run (`answerMessage`). The session closes after `idleTimeout` with no message, on
 * `closeSessionUpdate`, or when a session cap is reached, and returns its state. It keeps a
 * bounded memory (a summary and the recent turns) and continues as new with it after
 * `continueAsNewAfterTurns` turns or when Temporal suggests it, so its history stays short over
 * any number of turns. Long-lived: auto-upgrade on a versioned worker, so every change must replay
 * its recorded histories.
 */
export async function customerServiceWorkflow(request: CustomerServiceRequest): Promise<SessionState> {
  const input = parseWorkflowInput(CustomerServiceInputSchema, request);
  // Handlers first: a message sent with the start must find one. It waits for the session.
  const started: { session?: CustomerSession } = {};
  const handlers = handleSessionMessages(() => started.session);
  const stream = new SessionStream(input.continued?.stream);
  // The configuration is recorded in history once, and carried across continue-as-new.
  const config = input.config ?? (await serviceConfig());
  const session = new CustomerSession({ ...input, config }, config, stream);
  started.session = session;
  for (;;) {
    const woke = await condition(
      () => session.queue.busy || !session.open,
      session.config.session.idleTimeout,
    );
    if (!woke) session.close('idle', `no message for ${session.config.session.idleTimeout} ms`);
    // Let the turns under way, and the summaries after them, finish; then close, or go on. The
    // stream's readers are not waited for: they wait on the session.
    await condition(() => !session.queue.busy && handlers.finished());
    if (!session.open) break;
    if (session.dueToContinue) {
      stream.detachReaders();
      await condition(allHandlersFinished);
      await continueAsNew<typeof customerServiceWorkflow>({
        ...input,
        config,
        continued: session.continuation(),
      });
    }
  }
  // Readers get what is left and are let go before the session returns.
  stream.detachReaders();
  await condition(allHandlersFinished);
  recordRunOutcome(input.recordSearchAttributes, session.totals, session.closedBy);
  return session.state;
}
