/**
 * The fake LLM: a scripted stand-in for OpenAI and Anthropic, served over HTTP
 * (`llmos fake-llm --script <file> --port <n>`) or run in-process by `ScriptedChatModel`.
 */
export {
  FakeLlmScriptSchema,
  FaultSchema,
  RuleMatchSchema,
  ScriptRuleSchema,
  ScriptedReplySchema,
  ScriptedToolCallSchema,
  type FakeLlmScript,
  type Fault,
  type ParsedFakeLlmScript,
  type ScriptRule,
  type ScriptedReply,
} from '../activities/llm/scripted/script-schema.js';
export {
  ScriptEngine,
  contextLengthExceededCode,
  estimateTokens,
  faultStatus,
  findScriptPatternIssues,
  type AnsweredBy,
  type ScriptOutcome,
  type ScriptReply,
  type ScriptRequestContext,
  type ScriptSource,
  type WireProtocol,
} from '../activities/llm/scripted/script-engine.js';
export { loadFakeLlmScript, parseFakeLlmScript } from '../activities/llm/scripted/load-script.js';
export { formatIssuePath, describeZodIssues } from '../common/describe-issues.js';
export type {
  ParsedWireRequest,
  ReplyContext,
  WireError,
  WireParseResult,
  WireProtocolAdapter,
} from './wire-protocol.js';
export {
  OpenAiChatRequestSchema,
  openAiCompletionBody,
  openAiErrorBody,
  openAiProtocol,
  parseOpenAiRequest,
} from './openai-protocol.js';
export { anthropicErrorBody, anthropicErrorType } from './anthropic-error-body.js';
export {
  AnthropicMessagesRequestSchema,
  anthropicMessageBody,
  anthropicProtocol,
  outputToolInput,
  parseAnthropicRequest,
  toolUseInput,
  unparsedOutputKey,
} from './anthropic-protocol.js';
export {
  startFakeLlmServer,
  type FakeLlmServer,
  type FakeLlmServerOptions,
  type RecordedRequest,
} from './server.js';
