import { contextLengthExceededCode } from '../activities/llm/scripted/script-engine.js';
import { fakeContextWindow, tokensOverLimit, type WireError } from './wire-protocol.js';

// Error bodies of the Anthropic Messages API, for scripted faults and requests the fake rejects.

/** Anthropic's error `type` for each HTTP status it uses. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

function defaultMessage(status: number, model: string): string {
  switch (status) {
    case 401:
      return 'invalid x-api-key (fake-llm scripted fault)';
    case 404:
      return `model: ${model} (fake-llm scripted fault)`;
    case 429:
      return 'Number of request tokens has exceeded your per-minute rate limit (fake-llm scripted fault)';
    case 529:
      return 'Overloaded (fake-llm scripted fault)';
    default:
      return status >= 500
        ? 'Internal server error (fake-llm scripted fault)'
        : `fake-llm scripted fault: HTTP ${status}`;
  }
}

/**
 * Anthropic's error body, `{ type: 'error', error: { type, message } }`. A context-length error
 * reads exactly like the one Anthropic sends for a prompt that does not fit. Anthropic bodies
 * have no error code, so any other scripted `errorCode` is not sent: the type follows the status.
 */
export function anthropicErrorBody(error: WireError): unknown {
  if (error.code === contextLengthExceededCode) {
    const limit = fakeContextWindow.anthropic;
    const message =
      error.message ??
      `prompt is too long: ${tokensOverLimit(error.inputTokens, limit)} tokens > ${limit} maximum`;
    return { type: 'error', error: { type: 'invalid_request_error', message } };
  }
  return {
    type: 'error',
    error: {
      type: anthropicErrorType(error.status),
      message: error.message ?? defaultMessage(error.status, error.model),
    },
  };
}
