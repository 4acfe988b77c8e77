/**
 * Replays the committed traffic trace (scripts/bench/traffic-trace.jsonl: 1,000 requests, a
 * skewed mix of simple and complex tasks with repeats) through the complexity router and the
 * exact response cache, against the fake OpenAI server with the catalog's per-model prices, and
 * compares the bill with sending every request to the large model without a cache.
 *
 *   npm run bench:routing -- [--trace scripts/bench/traffic-trace.jsonl] [--small openai:gpt-4o-mini] [--large openai:gpt-4o]
 *
 * Each request goes through the same code a worker runs (`routeRequest` with the built-in
 * catalog's routing rules, then `callChatModel` with a SQLite response cache and the real OpenAI
 * SDK), in trace order, one at a time: routed call by call (tools count only while the model has
 * yet to choose them, as in an agent run), and again routed as a whole run is (tools always
 * count), each with its own cache. The baseline prices the same usage at the large model's
 * prices. "Added latency" is the router's and the cache's own time per request, measured apart
 * from the model call. The token limiter's cost per call (count the request, take from the
 * window, settle) is measured on a SQLite window, and on Redis too when REDIS_URL is set.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  createCallChatModel,
  type CallChatModelInput,
  type CallChatModelOutput,
} from '../activities/llm/call-chat-model.js';
import { builtInModelCatalogFile, loadModelCatalog } from '../activities/llm/load-model-catalog.js';
import { createModelResolver } from '../activities/llm/model-resolver.js';
import { routingSignals } from '../activities/llm/route-model.js';
import { estimateRequestTokens } from '../activities/llm/estimate-request-tokens.js';
import { connectRedisTokenWindow } from '../activities/llm/rate-limits/redis-token-window.js';
import { SqliteTokenWindow } from '../activities/llm/rate-limits/sqlite-token-window.js';
import { TokenLimiter } from '../activities/llm/rate-limits/token-limiter.js';
import type { TokenWindowStore } from '../activities/llm/rate-limits/token-window.js';
import { SqliteResponseCache } from '../activities/llm/response-cache/sqlite-response-cache.js';
import { projectRoot } from '../client/project-paths.js';
import { priceOf } from '../common/model-catalog.js';
import { computeCostUsd } from '../common/pricing.js';
import { choosesTools, routeRequest, type RouteDecision } from '../common/route-request.js';
import { startFakeLlmServer } from '../fake-llm/server.js';
import { median, percentile } from './bench/agent-fixture.js';
import { TraceRequestSchema, type TraceRequest } from './bench/generate-traffic-trace.js';

const { values } = parseArgs({
  options: {
    trace: { type: 'string', default: path.join(projectRoot, 'scripts', 'bench', 'traffic-trace.jsonl') },
    small: { type: 'string', default: 'openai:gpt-4o-mini' },
    large: { type: 'string', default: 'openai:gpt-4o' },
  },
});

async function main(): Promise<void> {
  const trace = readFileSync(values.trace, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const parsed = TraceRequestSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${values.trace}:${index + 1}: not a trace request`);
      return parsed.data;
    });
  const catalog = loadModelCatalog(builtInModelCatalogFile);
  const routing = catalog.routing;
  if (!routing) throw new Error('the built-in catalog has no routing section');
  // The benchmark's two routes are concrete models, so every price is known.
  const routeModel = { simple: values.small, complex: values.large };
  const largePrice = priceOf(catalog, values.large);
  if (!largePrice || !priceOf(catalog, values.small)) throw new Error('both models need catalog prices');

  // Answers whose length grows with the task, so output tokens differ between simple and complex.
  const fake = await startFakeLlmServer({
    script: {
      rules: [
        {
          match: { lastUserMessage: 'summari[sz]e|step by step|explain|compare|plan' },
          reply: { text: 'A detailed answer. '.repeat(40) },
        },
        { reply: { text: 'A short answer.' } },
      ],
    },
  });
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'llmos-bench-routing-'));
  const cache = new SqliteResponseCache({ file: path.join(scratch, 'cache.sqlite') });
  try {
    const resolveModel = createModelResolver({
      openai: { apiKey: 'bench', baseURL: `${fake.url}/v1` },
      scriptsDirectory: path.join(projectRoot, 'examples', 'scripted'),
      localModelsDirectory: path.join(projectRoot, '.tools', 'models'),
      timeoutMs: 10_000,
    });

    // Each call routed on its own (what an agent run does), and each run once with tools always
    // complex (what runs routed once do): the same trace, each with a cache of its own.
    const perCall = (request: TraceRequest) =>
      routeRequest(
        routing,
        routingSignals(routing, request.messages, choosesTools(request.messages, request.needsTools ? 1 : 0)),
      );
    const perRun = (request: TraceRequest) =>
      routeRequest(routing, routingSignals(routing, request.messages, request.needsTools));
    const replay = async (route: (request: TraceRequest) => RouteDecision, cache: SqliteResponseCache) => {
      const callChatModel = createCallChatModel(resolveModel, {
        priceOf: (model) => priceOf(catalog, model),
        cache: { store: cache, ttlMs: 24 * 3_600_000 },
      });
      const outcome = {
        cost: 0,
        baseline: 0,
        hits: 0,
        cacheable: 0,
        routed: { simple: 0, complex: 0 },
        agreement: { right: 0, total: 0 },
        toolAgreement: { right: 0, total: 0 },
        overheadMs: [] as number[],
        callMs: [] as number[],
      };
      for (const request of trace) {
        const routeStarted = performance.now();
        const decision = route(request);
        const routeMs = performance.now() - routeStarted;
        outcome.routed[decision.complexity] += 1;
        const right = decision.complexity === request.expectedComplexity ? 1 : 0;
        outcome.agreement.total += 1;
        outcome.agreement.right += right;
        if (request.needsTools) {
          outcome.toolAgreement.total += 1;
          outcome.toolAgreement.right += right;
        }
        if (request.temperature === 0) outcome.cacheable += 1;

        const started = performance.now();
        // A fresh activity context per call, as a worker gives each activity.
        const output = await new MockActivityEnvironment().run<
          [CallChatModelInput],
          CallChatModelOutput,
          typeof callChatModel
        >(callChatModel, {
          model: routeModel[decision.complexity],
          request: { messages: request.messages, tools: [], temperature: request.temperature },
        });
        const elapsed = performance.now() - started;
        outcome.cost += output.costUsd ?? 0;
        outcome.baseline += computeCostUsd(output.response.usage, largePrice) ?? 0;
        if (output.cacheHit) {
          outcome.hits += 1;
          outcome.overheadMs.push(routeMs + elapsed); // a hit is all overhead: no model call
        } else {
          outcome.callMs.push(elapsed);
          outcome.overheadMs.push(routeMs);
        }
      }
      return outcome;
    };
    const perRunCache = new SqliteResponseCache({ file: path.join(scratch, 'cache-per-run.sqlite') });
    const runOnce = await replay(perRun, perRunCache).finally(() => perRunCache.close());
    const { cost, baseline, hits, cacheable, routed, agreement, toolAgreement, overheadMs, callMs } =
      await replay(perCall, cache);
    const share = (part: { right: number; total: number }) =>
      `${((part.right / part.total) * 100).toFixed(1)}%`;
    // The cache's own time for a lookup that misses, measured on the same store.
    const lookups: number[] = [];
    for (const request of trace.slice(0, 200)) {
      const started = performance.now();
      await cache.get(JSON.stringify(request.messages).slice(0, 64));
      lookups.push(performance.now() - started);
    }

    // What a tokens-per-minute limit adds to each call that reaches a model: counting the
    // request, taking its estimate from the window and settling it (room is never short here).
    const limiterMs = async (window: TokenWindowStore): Promise<number[]> => {
      const limiter = new TokenLimiter({ openai: 1e12 }, window);
      const times: number[] = [];
      for (const [index, request] of trace.slice(0, 200).entries()) {
        const started = performance.now();
        const estimate = estimateRequestTokens({ messages: request.messages, tools: [] });
        const grant = await limiter.acquire(values.large, estimate.inputTokens + estimate.outputTokens, {
          id: `bench-${index}`,
          sleep: () => Promise.resolve(),
          maxWaitMs: 0,
          warn: (message) => console.warn(message),
        });
        await grant?.settle(estimate.inputTokens);
        times.push(performance.now() - started);
      }
      await limiter.close();
      return times;
    };
    const limiterLine = (store: string, times: number[]) =>
      `token limiter (${store} window): count + take + settle p50 ${median(times).toFixed(3)} ms, ` +
      `p95 ${percentile(times, 95).toFixed(3)} ms`;
    const limiterLines = [
      limiterLine(
        'SQLite',
        await limiterMs(new SqliteTokenWindow({ file: path.join(scratch, 'window.sqlite') })),
      ),
    ];
    if (process.env.REDIS_URL)
      limiterLines.push(
        limiterLine(
          'Redis',
          await limiterMs(
            await connectRedisTokenWindow({
              url: process.env.REDIS_URL,
              keyPrefix: `llmos-bench:${Date.now()}:`,
            }),
          ),
        ),
      );

    const lines = [
      `routing + cache benchmark: ${trace.length} requests from ${path.relative(projectRoot, values.trace)}`,
      `routes: simple -> ${values.small}, complex -> ${values.large} (rules: the built-in catalog's routing)`,
      '',
      `routed call by call: simple ${routed.simple}, complex ${routed.complex}; agrees with the trace's label on ` +
        `${share(agreement)} of requests, ${share(toolAgreement)} of the ${toolAgreement.total} tool-using ones`,
      `routed once a run (tools always complex): simple ${runOnce.routed.simple}, complex ${runOnce.routed.complex}; ` +
        `agrees on ${share(runOnce.agreement)}, ${share(runOnce.toolAgreement)} of the tool-using ones; ` +
        `cost routed + cached $${runOnce.cost.toFixed(4)}`,
      `cost routed call by call + cached: $${cost.toFixed(4)}; everything on ${values.large} without a cache: $${baseline.toFixed(4)} ` +
        `(${((1 - cost / baseline) * 100).toFixed(1)}% saved)`,
      `cache: ${hits} hits of ${trace.length} requests (${((hits / trace.length) * 100).toFixed(1)}%; ` +
        `${cacheable} were at temperature 0 and could hit)`,
      `added latency per request (router, plus the whole call on a hit): p50 ${median(overheadMs).toFixed(3)} ms, ` +
        `p95 ${percentile(overheadMs, 95).toFixed(3)} ms; a cache lookup alone p50 ${median(lookups).toFixed(3)} ms`,
      `model calls (fake server, loopback): p50 ${median(callMs).toFixed(2)} ms over ${callMs.length} calls`,
      ...limiterLines,
    ];
    console.log(lines.join('\n'));
  } finally {
    await cache.close();
    await fake.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  console.error(
    `bench:routing failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exitCode = 1;
}
