import { ApplicationFailure } from '@temporalio/common';
import type { ChatMessage, ToolSpec } from '../../common/chat.js';
import { countToolTokens } from './estimate-request-tokens.js';
import { ErrorType } from '../../common/errors.js';
import type { ModelCatalog, Routing } from '../../common/model-catalog.js';
import {
  choosesTools,
  matchComplexPatterns,
  routeRequest,
  type RouteDecision,
  type RoutePlan,
  type RouteSignals,
} from '../../common/route-request.js';
import { resolveChain } from '../../common/model-catalog.js';
import { countTokens } from '../prompts/count-tokens.js';
import type { PolicyConfig } from '../../common/policies.js';
import type { GuardService } from '../guards/guard-service.js';
import { limitingPolicy } from './resolve-model-chain.js';

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
  return async function routeModel(input: {
    messages: ChatMessage[];
    toolCount: number;
  }): Promise<RouteDecision> {
    const routing = await routingOf(catalog);
    return routeRequest(routing, routingSignals(routing, input.messages, input.toolCount > 0));
  };
}

/**
 * `--model auto` call by call: the first call's route (as `routeModel` decides it, tools counting
 * only while the model has yet to choose them), and the plan that routes every later call in the
 * workflow without an activity: the rules, the patterns the user's messages matched, and both
 * routes' chains. An activity, so the plan is in the run's history.
 */
export function createPlanRoutes(
  catalog: ModelCatalog,
  rateLimitedProviders: readonly string[],
  governance: { policies: PolicyConfig; guards: GuardService },
) {
  return async function planRoutes(input: {
    messages: ChatMessage[];
    tools: ToolSpec[];
    /** Whose policy every call is checked against (the plan carries it when it limits anything). */
    tenant?: string;
  }): Promise<{ first: RouteDecision; plan: RoutePlan }> {
    const routing = await routingOf(catalog);
    const toolCount = input.tools.length;
    const signals = routingSignals(routing, input.messages, choosesTools(input.messages, toolCount));
    const chains = {
      simple: [...resolveChain(catalog, routing.simple)],
      complex: [...resolveChain(catalog, routing.complex)],
    };
    const policy = await limitingPolicy(governance, input.tenant, [
      ...new Set([...chains.simple, ...chains.complex]),
    ]);
    return {
      first: routeRequest(routing, signals),
      plan: {
        simple: routing.simple,
        complex: routing.complex,
        maxSimpleTokens: routing.maxSimpleTokens,
        toolsAreComplex: routing.toolsAreComplex,
        matchedPatterns: signals.matchedPatterns,
        toolTokens: countToolTokens(input.tools),
        chains,
        providerQueues: [...rateLimitedProviders],
        ...(policy ? { policy } : {}),
      },
    };
  };
}

/** The catalog's routing; rejects with `InvalidInput` (non-retryable) when it has none. */
function routingOf(catalog: ModelCatalog): Promise<Routing> {
  if (catalog.routing) return Promise.resolve(catalog.routing);
  return Promise.reject(
    ApplicationFailure.create({
      type: ErrorType.InvalidInput,
      message: 'the model catalog has no routing section, so --model auto cannot choose a model',
      nonRetryable: true,
    }),
  );
}
