import { trace, type Attributes } from '@opentelemetry/api';

/**
 * Adds `attributes` to the run's own trace span (`RunWorkflow:<type>`, made by Temporal's
 * OpenTelemetry interceptors when the worker traces), for what the run knows and its calls do
 * not carry: an agent run's prompt template, which its model calls leave out to keep history
 * small. A no-op without tracing. It changes no command, so replay is unaffected; call it before
 * the run's first `await`, while its span is the active one.
 */
export function describeRunSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}
