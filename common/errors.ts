/**
 * Failure type strings carried by `ApplicationFailure.type`. Workflows branch on these, never on
 * `instanceof` of project classes: class identity does not survive the workflow sandbox boundary.
 */
export const ErrorType = {
  InvalidInput: 'InvalidInput',
  /** 400/401/403/404/422 from a provider: the same request will fail again. */
  ModelRequestRejected: 'ModelRequestRejected',
  /** 429: retryable, with the provider's `retry-after` as the next delay. */
  ModelRateLimited: 'ModelRateLimited',
  /** 408/409/5xx, network errors and timeouts: retryable. */
  ModelUnavailable: 'ModelUnavailable',
  /** The provider answered with a body that is not a valid response of its protocol: retryable. */
  ModelResponseMalformed: 'ModelResponseMalformed',
  /** The model replied with no text and no tool calls: never an answer; retryable, as a one-off usually is. */
  ModelReplyEmpty: 'ModelReplyEmpty',
  /** The prompt does not fit the model's context window: the workflow must shrink it, not retry. */
  ContextTooLong: 'ContextTooLong',
  /** Structured output that does not match its schema after the repair loop. */
  ModelOutputInvalid: 'ModelOutputInvalid',
  UnknownModel: 'UnknownModel',
  /** The model's circuit breaker is open after repeated failures: go to the next model of the chain. */
  ModelCircuitOpen: 'ModelCircuitOpen',
  UnknownTool: 'UnknownTool',
  /** A prompt template ref (`id@version`) the worker's prompt library does not hold. */
  UnknownPrompt: 'UnknownPrompt',
  InvalidToolInput: 'InvalidToolInput',
  ToolFailed: 'ToolFailed',
  BudgetExceeded: 'BudgetExceeded',
  /** The call does not fit what the run's caps leave it (`CallAllowance`): it was not sent. */
  ModelCallOverCaps: 'ModelCallOverCaps',
  UnsafeSql: 'UnsafeSql',
  /** The tenant's policy (`config/policies.yaml`) refuses to send its data to the model: the next one of the chain is tried. */
  PolicyViolation: 'PolicyViolation',
  /** A remote guard judge refused the request (a bad key or URL, a 4xx): the same request will fail again. */
  JudgeRejected: 'JudgeRejected',
  /** An answer cites a knowledge-base passage the run never retrieved (an outcome, never thrown). */
  CitationInvalid: 'CitationInvalid',
  /** Every claim of an answer was unsupported by the passages it cites, and the run removes those (an outcome, never thrown). */
  AnswerUnsupported: 'AnswerUnsupported',
  /** A person declined a tool call that waited for approval, or nobody decided in time (an outcome, never thrown). */
  ToolCallDeclined: 'ToolCallDeclined',
  /** A guard's `block` rule fired on a text of the run: the text goes no further (an outcome, never thrown). */
  Blocked: 'Blocked',
  /** An MCP server could not be reached, or its connection closed mid-call (it crashed): retryable. */
  McpUnavailable: 'McpUnavailable',
  /** An MCP tool call took longer than its server's `timeoutMs`: retried only where the tool is safe to repeat. */
  McpTimeout: 'McpTimeout',
  /** An MCP server answered with something that is not a result of the protocol: the same call will fail again. */
  McpResultMalformed: 'McpResultMalformed',
  /** A monitor's alert webhook did not take the alert (down, or answered with an error). */
  AlertNotDelivered: 'AlertNotDelivered',
} as const;

export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/** Failure types that retrying the same request cannot fix. */
export const nonRetryableErrorTypes: readonly ErrorType[] = [
  ErrorType.InvalidInput,
  ErrorType.ModelRequestRejected,
  ErrorType.ContextTooLong,
  ErrorType.ModelOutputInvalid,
  ErrorType.UnknownModel,
  ErrorType.ModelCircuitOpen,
  ErrorType.UnknownTool,
  ErrorType.UnknownPrompt,
  ErrorType.InvalidToolInput,
  ErrorType.BudgetExceeded,
  ErrorType.ModelCallOverCaps,
  ErrorType.UnsafeSql,
  ErrorType.McpResultMalformed,
];
