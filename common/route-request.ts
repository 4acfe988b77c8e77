import { z } from 'zod';
import type { Routing } from './model-catalog.js';

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
