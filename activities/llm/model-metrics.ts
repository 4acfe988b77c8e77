import type { MetricMeter } from '@temporalio/common';
import type { Usage } from '../../common/chat.js';
import type { ModelRef } from '../../common/model-ref.js';

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

interface Instruments {
  tokens: ReturnType<MetricMeter['createHistogram']>;
  duration: ReturnType<MetricMeter['createHistogram']>;
  calls: ReturnType<MetricMeter['createCounter']>;
  cost: ReturnType<MetricMeter['createCounter']>;
  saved: ReturnType<MetricMeter['createCounter']>;
}

const instrumentsOf = new WeakMap<MetricMeter, Instruments>();

function instruments(meter: MetricMeter): Instruments {
  let made = instrumentsOf.get(meter);
  if (!made) {
    made = {
      tokens: meter.createHistogram('gen_ai_client_token_usage', 'int', '{token}', 'Tokens per model call'),
      duration: meter.createHistogram(
        'gen_ai_client_operation_duration',
        'float',
        's',
        'The provider time of a model call',
      ),
      calls: meter.createCounter('llmos_model_calls', '{call}', 'Model calls by outcome'),
      // Counters count whole units: dollars would round to nothing.
      cost: meter.createCounter('llmos_model_cost_microusd', 'µUSD', 'What model calls cost'),
      saved: meter.createCounter('llmos_cache_saved_microusd', 'µUSD', 'What cache hits saved'),
    };
    instrumentsOf.set(meter, made);
  }
  return made;
}

const microUsd = (usd: number | null | undefined) => Math.round((usd ?? 0) * 1_000_000);

/** Records one model call. Never throws: metrics must not fail the call they describe. */
export function recordModelCall(meter: MetricMeter, call: ModelCallMetrics): void {
  try {
    const { tokens, duration, calls, cost, saved } = instruments(meter);
    const tags = {
      gen_ai_operation_name: 'chat',
      gen_ai_provider_name: call.ref.provider,
      gen_ai_request_model: call.ref.model,
    };
    calls.add(1, { ...tags, outcome: call.outcome });
    if (call.usage) {
      tokens.record(call.usage.inputTokens, { ...tags, gen_ai_token_type: 'input' });
      tokens.record(call.usage.outputTokens, { ...tags, gen_ai_token_type: 'output' });
    }
    if (call.seconds !== undefined)
      duration.record(call.seconds, {
        ...tags,
        ...(call.outcome === 'answered' ? {} : { error_type: call.outcome }),
      });
    if (microUsd(call.costUsd) > 0) cost.add(microUsd(call.costUsd), tags);
    if (microUsd(call.savedUsd) > 0) saved.add(microUsd(call.savedUsd), tags);
  } catch {
    // A metric the exporter refuses is lost; the model call is not.
  }
}
