import { SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { Context } from '@temporalio/activity';
import type { ChatRequest } from '../../common/chat.js';
import type { ModelRef } from '../../common/model-ref.js';
import type { PromptRef } from '../../common/prompt-template.js';
import type { CallChatModelOutput } from './call-chat-model.js';

/**
 * The span of one model call, named and described by the OpenTelemetry GenAI semantic
 * conventions (`chat <model>`, `gen_ai.*`), with llmos's own attributes under `llmos.*`. The
 * global tracer is a no-op until `installTracing` registers a provider, so without tracing a
 * call costs one non-recording span.
 */
const tracer = trace.getTracer('llmos');

export interface ModelCallSpanOptions {
  ref: ModelRef;
  prompt?: PromptRef | undefined;
  /** The model this call falls back from, when the run moved down its chain to this one. */
  fallbackFrom?: string | undefined;
  /** Whether prompts and completions go into the span (`gen_ai.input.messages`, `gen_ai.output.messages`). */
  captureContent: boolean;
}

/**
 * Runs one model call inside its span, the active one while it runs (so the provider SDK's HTTP
 * request is its child). `call` gets `describeRequest` to add the request's attributes once it
 * is known (a stored conversation is read first). A failure is recorded with its `error.type`
 * and rethrown unchanged.
 */
export function withModelCallSpan(
  options: ModelCallSpanOptions,
  call: (describeRequest: (request: ChatRequest) => void) => Promise<CallChatModelOutput>,
): Promise<CallChatModelOutput> {
  const { ref } = options;
  const workflowId = Context.current().info.workflowExecution?.workflowId;
  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': ref.provider,
    'gen_ai.request.model': ref.model,
    ...(workflowId ? { 'llmos.workflow.id': workflowId } : {}),
    ...(options.prompt
      ? { 'llmos.prompt.id': options.prompt.id, 'llmos.prompt.version': options.prompt.version }
      : {}),
    ...(options.fallbackFrom ? { 'llmos.fallback': true, 'llmos.fallback.from': options.fallbackFrom } : {}),
  };
  return tracer.startActiveSpan(`chat ${ref.model}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      const output = await call((request) => {
        if (span.isRecording()) describeRequest(span, request, options.captureContent);
      });
      if (span.isRecording()) describeOutput(span, output, options.captureContent);
      return output;
    } catch (error) {
      const type = (error as { type?: string }).type ?? (error as Error).name;
      span.setAttribute('error.type', type);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

function describeRequest(span: Span, request: ChatRequest, captureContent: boolean): void {
  span.setAttributes({
    ...(request.temperature !== undefined ? { 'gen_ai.request.temperature': request.temperature } : {}),
    ...(request.maxOutputTokens !== undefined
      ? { 'gen_ai.request.max_tokens': request.maxOutputTokens }
      : {}),
    ...(request.responseFormat ? { 'gen_ai.output.type': 'json' } : {}),
    ...(captureContent ? { 'gen_ai.input.messages': JSON.stringify(request.messages) } : {}),
  });
}

function describeOutput(span: Span, output: CallChatModelOutput, captureContent: boolean): void {
  const { response } = output;
  span.setAttributes({
    'gen_ai.response.model': response.responseModel,
    'gen_ai.response.finish_reasons': [response.finishReason],
    'gen_ai.usage.input_tokens': response.usage.inputTokens,
    'gen_ai.usage.output_tokens': response.usage.outputTokens,
    'llmos.latency_ms': output.latencyMs,
    'llmos.cache.hit': output.cacheHit !== undefined,
    ...(output.costUsd !== null ? { 'llmos.cost_usd': output.costUsd } : {}),
    ...(output.cacheHit?.savedUsd != null ? { 'llmos.cache.saved_usd': output.cacheHit.savedUsd } : {}),
    ...(captureContent ? { 'gen_ai.output.messages': JSON.stringify([response.message]) } : {}),
  });
}
