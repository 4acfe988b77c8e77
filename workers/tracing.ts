import type { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { z } from 'zod';

/**
 * The OpenTelemetry settings llmos reads, by their standard names: tracing is on when an OTLP
 * endpoint is set (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or `OTEL_EXPORTER_OTLP_ENDPOINT` with
 * `/v1/traces` added) and `OTEL_SDK_DISABLED` is not `true`. The exporter reads the rest itself
 * (`OTEL_EXPORTER_OTLP_HEADERS`, timeouts); the resource takes `OTEL_SERVICE_NAME` and
 * `OTEL_RESOURCE_ATTRIBUTES`.
 */
const TracingEnvSchema = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().trim().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().trim().optional(),
  OTEL_SDK_DISABLED: z.string().trim().optional(),
});

/** Whether this environment asks for traces. */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  const settings = TracingEnvSchema.parse(env);
  const endpoint = settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || settings.OTEL_EXPORTER_OTLP_ENDPOINT;
  return Boolean(endpoint) && settings.OTEL_SDK_DISABLED?.toLowerCase() !== 'true';
}

let installed: { provider: { forceFlush(): Promise<void> }; plugin: OpenTelemetryPlugin } | undefined;

/**
 * Turns tracing on for this process when the environment asks for it (`tracingRequested`), once
 * (`registerTracing` says what it sets up). Call it before the first client or worker is made:
 * they take Temporal's OpenTelemetry plugin from `tracingPlugins`. `serviceName` is the default
 * `service.name` (OTEL_SERVICE_NAME wins).
 *
 * @returns whether tracing is on.
 */
export async function installTracing(serviceName: string): Promise<boolean> {
  if (installed) return true;
  if (!tracingRequested()) return false;
  const { registerTracing } = await import('./tracing-provider.js');
  installed = registerTracing(serviceName);
  return true;
}

/** The plugins a client or worker adds: Temporal's OpenTelemetry plugin when tracing is on, else none. */
export function tracingPlugins(): OpenTelemetryPlugin[] {
  return installed ? [installed.plugin] : [];
}

/** Whether `installTracing` turned tracing on in this process. */
export function tracingInstalled(): boolean {
  return installed !== undefined;
}

/**
 * Sends the spans still waiting in the batch. Call before the process exits: a command that ends
 * at once would otherwise lose its last spans. Never throws: a collector that is down costs the
 * spans, not the command's outcome.
 */
export async function flushTracing(): Promise<void> {
  await installed?.provider.forceFlush().catch(() => undefined);
}
