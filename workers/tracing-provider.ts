import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { detectResourcesSync, envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type Sampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';

/**
 * The process's tracing, made and registered (`installTracing` loads this module only when
 * tracing is on: the SDK takes a third of a second to load). A tracer provider exporting over
 * OTLP in batches, registered globally, so activities' own spans and the provider SDKs' HTTP
 * calls (through `fetch`) join the trace they run in; and Temporal's OpenTelemetry plugin for
 * clients and workers, which carries the trace from a client to its workflow and from the
 * workflow to each activity, and exports the workflow's spans from the worker. `spanProcessor`
 * and `sampler` replace the OTLP export and the default sampling (every span; OTEL_TRACES_SAMPLER).
 */
export function registerTracing(serviceName: string, spanProcessor?: SpanProcessor, sampler?: Sampler) {
  const resource = new Resource({ 'service.name': serviceName }).merge(
    detectResourcesSync({ detectors: [envDetectorSync] }),
  );
  const processor = spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [processor],
    ...(sampler ? { sampler } : {}),
  });
  provider.register();
  registerInstrumentations({ tracerProvider: provider, instrumentations: [new UndiciInstrumentation()] });
  return { provider, plugin: new OpenTelemetryPlugin({ resource, spanProcessor: processor }) };
}
