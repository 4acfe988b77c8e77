import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoutingSchema } from '../../common/model-catalog.js';
import { matchComplexPatterns, routeRequest } from '../../common/route-request.js';

const routing = RoutingSchema.parse({
  simple: 'fast',
  complex: 'smart',
  maxSimpleTokens: 100,
  complexPatterns: ['\\bprove\\b', 'step[- ]by[- ]step'],
});
const quiet = { inputTokens: 40, needsTools: false, matchedPatterns: [] };

void describe('routeRequest', () => {
  void it('sends a short, tool-free, plain request to the simple route', () => {
    assert.deepEqual(routeRequest(routing, quiet), {
      complexity: 'simple',
      model: 'fast',
      reasons: ['no sign of complexity'],
      signals: quiet,
    });
  });

  void it('names every signal that makes a request complex', () => {
    const decision = routeRequest(routing, {
      inputTokens: 250,
      needsTools: true,
      matchedPatterns: matchComplexPatterns(routing, 'Prove it, step by step.'),
    });
    assert.equal(decision.model, 'smart');
    assert.deepEqual(decision.reasons, [
      '250 input tokens > 100',
      'needs tools',
      'matches /\\bprove\\b/',
      'matches /step[- ]by[- ]step/',
    ]);
  });

  void it('lets tools count as simple when so configured, and refuses a broken pattern', () => {
    const lenient = RoutingSchema.parse({ simple: 'fast', complex: 'smart', toolsAreComplex: false });
    assert.equal(routeRequest(lenient, { ...quiet, needsTools: true }).complexity, 'simple');
    assert.equal(matchComplexPatterns(routing, 'improve the proverb').length, 0, 'whole words only');
    assert.throws(
      () => RoutingSchema.parse({ simple: 'a', complex: 'b', complexPatterns: ['('] }),
      /not a valid regular expression/,
    );
  });
});
