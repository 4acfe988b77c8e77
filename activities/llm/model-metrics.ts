import type { MetricMeter } from '@temporalio/common';
import type { Usage } from '../../common/chat.js';
import type { ModelRef } from '../../common/model-ref.js';
import { instrumentsFor, safely } from '../metrics/instruments.js';

/**
 * What each model call adds to the worker's metrics, through the activity's `metricMeter`: the
 * Temporal runtime's own exporter serves them with the SDK's metrics (Prometheus, when the worker
 * has LLMOS_METRICS_ADDRESS), and they cost nothing when it has none. The names are the
 * OpenTelemetry GenAI semantic conventions' (`gen_ai.client.token.usage`,
 * `gen_ai.client.operation.duration`) in Prometheus's spelling, plus llmos's own.
 */
export interface ModelCallMetrics {
  ref: ModelRef;
  /** `answered`, `cache-hit`, or the failure's error type (`ModelRateLimited`, ...). */
  outcome: string;
  usage?: Usage | undefined;
  /** The provider's time for the call; none for a cache hit. */
  seconds?: number | undefined;
  costUsd?: number | null | undefined;
  /** What a cache hit saved. */
  savedUsd?: number | null | undefined;
}

type Histogram = ReturnType<MetricMeter['createHistogram']>;
type Counter = ReturnType<MetricMeter['createCounter']>;

/** One model's instruments, its tags bound once: a record is then one call into the runtime. */
interface ModelInstruments {
  inputTokens: Histogram;
  outputTokens: Histogram;
  duration: Histogram;
  calls: Counter;
  cost: Counter;
  saved: Counter;
}

function instruments(meter: MetricMeter, ref: ModelRef): ModelInstruments {
  return instrumentsFor(meter, `model ${ref.provider}:${ref.model}`, () => {
    const tagged = meter.withTags({
      gen_ai_operation_name: 'chat',
      gen_ai_provider_name: ref.provider,
      gen_ai_request_model: ref.model,
    });
    const tokens = tagged.createHistogram(
      'gen_ai_client_token_usage',
      'int',
      '{token}',
      'Tokens per model call',
    );
    return {
      inputTokens: tokens.withTags({ gen_ai_token_type: 'input' }),
      outputTokens: tokens.withTags({ gen_ai_token_type: 'output' }),
      duration: tagged.createHistogram(
        'gen_ai_client_operation_duration',
        'float',
        's',
        'The provider time of a model call',
      ),
      calls: tagged.createCounter('llmos_model_calls', '{call}', 'Model calls by outcome'),
      // Counters count whole units: dollars would round to nothing.
      cost: tagged.createCounter('llmos_model_cost_microusd', 'µUSD', 'What model calls cost'),
      saved: tagged.createCounter('llmos_cache_saved_microusd', 'µUSD', 'What cache hits saved'),
    };
  });
}

const microUsd = (usd: number | null | undefined) => Math.round((usd ?? 0) * 1_000_000);

/** Records one model call. Never throws: metrics must not fail the call they describe. */
export function recordModelCall(meter: MetricMeter, call: ModelCallMetrics): void {
  safely(() => {
    const { inputTokens, outputTokens, duration, calls, cost, saved } = instruments(meter, call.ref);
    calls.add(1, { outcome: call.outcome });
    if (call.usage) {
      inputTokens.record(call.usage.inputTokens);
      outputTokens.record(call.usage.outputTokens);
    }
    if (call.seconds !== undefined)
      duration.record(call.seconds, call.outcome === 'answered' ? {} : { error_type: call.outcome });
    if (microUsd(call.costUsd) > 0) cost.add(microUsd(call.costUsd));
    if (microUsd(call.savedUsd) > 0) saved.add(microUsd(call.savedUsd));
  });
}

/** The model's breaker after a call: `llmos_breaker_open` is 1 while it turns calls away, else 0. */
export function recordBreakerState(meter: MetricMeter, ref: ModelRef, state: string): void {
  safely(() => {
    const gauge = instrumentsFor(meter, 'breaker', () =>
      meter.createGauge('llmos_breaker_open', 'int', '1', "Whether a model's circuit breaker is open"),
    );
    gauge.set(state === 'open' ? 1 : 0, {
      gen_ai_provider_name: ref.provider,
      gen_ai_request_model: ref.model,
    });
  });
}
