import { ApplicationFailure } from '@temporalio/common';
import type { ChatMessage } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import type { ModelCatalog, Routing } from '../../common/model-catalog.js';
import {
  matchComplexPatterns,
  routeRequest,
  type RouteDecision,
  type RouteSignals,
} from '../../common/route-request.js';
import { countTokens } from '../prompts/count-tokens.js';

/** What the router looks at in a conversation: its length, whether it needs tools, the complex patterns its user text matches. */
export function routingSignals(
  routing: Routing,
  messages: readonly ChatMessage[],
  needsTools: boolean,
): RouteSignals {
  const userText = messages
    .filter((message) => message.role === 'user')
    .map((message) => message.content)
    .join('\n');
  return {
    inputTokens: messages.reduce((sum, message) => sum + countTokens(message.content), 0),
    needsTools,
    matchedPatterns: matchComplexPatterns(routing, userText),
  };
}

/**
 * `--model auto`: chooses the catalog's simple or complex route for a conversation, from its
 * length in o200k tokens, whether it offers tools, and the complex patterns (matched against the
 * user's messages). An activity, so the decision and its signals are in the run's history.
 */
export function createRouteModel(catalog: ModelCatalog) {
  return function routeModel(input: { messages: ChatMessage[]; toolCount: number }): Promise<RouteDecision> {
    const routing = catalog.routing;
    if (!routing)
      return Promise.reject(
        ApplicationFailure.create({
          type: ErrorType.InvalidInput,
          message: 'the model catalog has no routing section, so --model auto cannot choose a model',
          nonRetryable: true,
        }),
      );
    return Promise.resolve(
      routeRequest(routing, routingSignals(routing, input.messages, input.toolCount > 0)),
    );
  };
}
