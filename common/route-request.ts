import { z } from 'zod';
import type { Routing } from './model-catalog.js';
import { TenantPolicySchema } from './policies.js';

/** What the router looked at. */
export const RouteSignalsSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  needsTools: z.boolean(),
  /** The complex patterns the request matched. */
  matchedPatterns: z.array(z.string()),
});
export type RouteSignals = z.infer<typeof RouteSignalsSchema>;

/** A routing decision as a run records it. */
export const RouteDecisionSchema = z.object({
  complexity: z.enum(['simple', 'complex']),
  /** The alias or model chosen. */
  model: z.string(),
  /** Why, in words: which signals made it complex, or that none did. */
  reasons: z.array(z.string()),
  signals: RouteSignalsSchema,
});
export type RouteDecision = z.infer<typeof RouteDecisionSchema>;

/** The patterns of `routing` that `text` matches. */
export function matchComplexPatterns(routing: Routing, text: string): string[] {
  return routing.complexPatterns.filter((pattern) => new RegExp(pattern, 'i').test(text));
}

/**
 * Sends a request to the cheap route unless a signal says it is complex: a long input, a need
 * for tools (when tools count), or a complex pattern. Pure, so a decision can be replayed from
 * its signals.
 */
export function routeRequest(routing: Routing, signals: RouteSignals): RouteDecision {
  const reasons = [
    ...(signals.inputTokens > routing.maxSimpleTokens
      ? [`${signals.inputTokens} input tokens > ${routing.maxSimpleTokens}`]
      : []),
    ...(routing.toolsAreComplex && signals.needsTools ? ['needs tools'] : []),
    ...signals.matchedPatterns.map((pattern) => `matches /${pattern}/`),
  ];
  return reasons.length > 0
    ? { complexity: 'complex', model: routing.complex, reasons, signals }
    : { complexity: 'simple', model: routing.simple, reasons: ['no sign of complexity'], signals };
}

/**
 * Whether a request asks the model to choose its tools: it offers some, and no tool has answered
 * yet. A call that reads tool results (and may call more, or answer) does not count as needing
 * tools; its length and the user's words still route it.
 */
export function choosesTools(messages: readonly { role: string }[], toolCount: number): boolean {
  return toolCount > 0 && !messages.some((message) => message.role === 'tool');
}

/**
 * How a run routed call by call (`auto`) routes each call: the rules of the catalog's `routing`,
 * the patterns the user's messages matched (they do not change during a run), and each route's
 * model chain as the worker resolved it, with the providers whose calls use their own queue.
 */
export const RoutePlanSchema = z.object({
  simple: z.string(),
  complex: z.string(),
  maxSimpleTokens: z.number().int().positive(),
  toolsAreComplex: z.boolean(),
  matchedPatterns: z.array(z.string()),
  /** The tokens of the run's tool definitions: a call's count includes them, the rules do not. */
  toolTokens: z.number().int().nonnegative(),
  chains: z.object({ simple: z.array(z.string()).min(1), complex: z.array(z.string()).min(1) }),
  providerQueues: z.array(z.string()),
  /** The run's tenant's policy, when it limits where data may go: every call is checked against it. */
  policy: TenantPolicySchema.optional(),
});
export type RoutePlan = z.infer<typeof RoutePlanSchema>;

/**
 * Routes one call of a run routed call by call, from the call's own signals: `inputTokens` counts
 * the whole request, tool definitions included, which the length rule leaves out. Pure.
 */
export function routeCall(
  plan: RoutePlan,
  signals: { inputTokens: number; needsTools: boolean },
): RouteDecision {
  return routeRequest(
    { ...plan, complexPatterns: [] },
    {
      inputTokens: Math.max(0, signals.inputTokens - plan.toolTokens),
      needsTools: signals.needsTools,
      matchedPatterns: plan.matchedPatterns,
    },
  );
}
