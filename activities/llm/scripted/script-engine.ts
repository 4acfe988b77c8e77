import type { ChatMessage, ChatRequest, ToolCall, Usage } from '../../../common/chat.js';
import {
  FakeLlmScriptSchema,
  type FakeLlmScript,
  type Fault,
  type ParsedFakeLlmScript,
  type ScriptedReply,
} from './script-schema.js';

/** The wire protocols the fake server speaks; rules may be restricted to one of them. */
export type WireProtocol = 'openai' | 'anthropic';

/** What the engine knows about a request beyond its messages. */
export interface ScriptRequestContext {
  /** The model name the client asked for, matched exactly by `match.model`. */
  readonly model: string;
  /**
   * The wire protocol the request came in on. Absent when the engine runs in-process
   * (`ScriptedChatModel`): there is no wire, so rules conditioned on a protocol never match.
   */
  readonly protocol?: WireProtocol | undefined;
}

/** A scripted answer made concrete for one request: placeholders filled, ids assigned, usage counted. */
export interface ScriptReply {
  readonly text: string;
  readonly toolCalls: ToolCall[];
  readonly usage: Usage;
  readonly finishReason: 'stop' | 'tool_calls';
}

/** Which part of the script answered, by array index as in the script (`rules[0]` is `rule 0`). */
export type ScriptSource = `rule ${number}` | `turn ${number}`;
export type AnsweredBy = ScriptSource | 'exhausted';

/** The engine's verdict for one request. */
export type ScriptOutcome =
  | {
      readonly kind: 'answer';
      readonly answeredBy: ScriptSource;
      /** 1-based count of requests this engine has seen, this one included. */
      readonly requestNumber: number;
      readonly step: number;
      readonly reply: ScriptReply;
      /** The fault fields of the chosen reply; empty when it should simply be answered. */
      readonly fault: Fault;
    }
  | {
      readonly kind: 'exhausted';
      readonly answeredBy: 'exhausted';
      readonly requestNumber: number;
      readonly step: number;
      /** Says the script is exhausted and names the request, for a loud error reply. */
      readonly message: string;
      /** Usage estimated for the request, so error replies can still quote a prompt size. */
      readonly usage: Usage;
    };

/** Error code that stands for "the prompt is too long"; implies status 400 when no status is scripted. */
export const contextLengthExceededCode = 'context_length_exceeded';

/**
 * The HTTP status a fault answers with, or undefined when it does not answer with an error.
 * A bare `errorCode: 'context_length_exceeded'` means 400, as both providers send for it.
 */
export function faultStatus(fault: Fault): number | undefined {
  if (fault.status !== undefined) return fault.status;
  return fault.errorCode === contextLengthExceededCode ? 400 : undefined;
}

/** Roughly 4 characters a token, rounded up: deterministic, so tests can assert exact counts. */
export function estimateTokens(characters: number): number {
  return Math.ceil(characters / 4);
}

/** Characters of everything a provider would count as prompt: message text, earlier tool calls, tool specs. */
function promptCharacters(request: ChatRequest): number {
  let characters = 0;
  for (const message of request.messages) {
    characters += message.content.length;
    if (message.role === 'assistant') {
      for (const call of message.toolCalls) characters += call.name.length + call.arguments.length;
    }
  }
  if (request.tools.length > 0) characters += JSON.stringify(request.tools).length;
  if (request.responseFormat) characters += JSON.stringify(request.responseFormat).length;
  return characters;
}

function lastContentOf(
  messages: readonly ChatMessage[],
  role: 'user' | 'tool' | 'system',
): string | undefined {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message?.role === role) return message.content;
  }
  return undefined;
}

/** Describes every `match` pattern in the script that is not a valid regular expression, by path. */
export function findScriptPatternIssues(script: ParsedFakeLlmScript): string[] {
  const issues: string[] = [];
  script.rules.forEach((rule, index) => {
    for (const key of ['lastUserMessage', 'lastToolResult', 'responseFormat'] as const) {
      const pattern = rule.match[key];
      if (pattern === undefined) continue;
      try {
        new RegExp(pattern, 'i');
      } catch (error) {
        issues.push(
          `rules[${index}].match.${key}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  });
  return issues;
}

interface CompiledRule {
  readonly index: number;
  readonly lastUserMessage?: RegExp | undefined;
  readonly lastToolResult?: RegExp | undefined;
  readonly responseFormat?: RegExp | undefined;
  readonly step?: number | undefined;
  readonly model?: string | undefined;
  readonly protocol?: WireProtocol | undefined;
  readonly times?: number | undefined;
  readonly reply: ScriptedReply;
}

const compilePattern = (pattern: string | undefined): RegExp | undefined =>
  pattern === undefined ? undefined : new RegExp(pattern, 'i');

/** What a rule's conditions and a reply's placeholders are checked against. */
interface RequestFacts extends ScriptRequestContext {
  readonly step: number;
  readonly lastUserMessage: string | undefined;
  readonly lastToolResult: string | undefined;
  /** The system prompt: what a model that leaks its instructions repeats. */
  readonly systemMessage: string | undefined;
  /** The name of the requested structured output, if any. */
  readonly outputName: string | undefined;
}

/** A pattern condition holds when it is absent, or when the text exists and matches it. */
const patternHolds = (pattern: RegExp | undefined, text: string | undefined): boolean =>
  pattern === undefined || (text !== undefined && pattern.test(text));

function ruleMatches(rule: CompiledRule, facts: RequestFacts): boolean {
  return (
    patternHolds(rule.lastUserMessage, facts.lastUserMessage) &&
    patternHolds(rule.lastToolResult, facts.lastToolResult) &&
    patternHolds(rule.responseFormat, facts.outputName) &&
    (rule.step === undefined || rule.step === facts.step) &&
    (rule.model === undefined || rule.model === facts.model) &&
    (rule.protocol === undefined || rule.protocol === facts.protocol)
  );
}

const placeholderPattern = /\{\{\s*(lastToolResult|lastUserMessage|systemMessage)\s*\}\}/g;

/** The reply's text with its placeholders filled, or its `json` as JSON text. */
function replyText(reply: ScriptedReply, facts: RequestFacts): string {
  if (reply.json !== undefined) return JSON.stringify(reply.json);
  return reply.text.replace(
    placeholderPattern,
    (_whole, name: 'lastToolResult' | 'lastUserMessage' | 'systemMessage') => facts[name] ?? '',
  );
}

/**
 * Answers chat requests from a fake-LLM script, independent of any wire protocol.
 *
 * For each request the first rule whose conditions all hold and whose `times` are not used up
 * answers; otherwise the next ordered turn; otherwise the outcome is `exhausted`. The turn cursor
 * and rule use counts live in the instance, so one engine serves one scripted session.
 */
export class ScriptEngine {
  private readonly script: ParsedFakeLlmScript;
  private readonly rules: readonly CompiledRule[];
  private nextTurn = 0;
  private requestCount = 0;
  private ruleUses: number[];

  /** @throws Error when the script does not match the schema or a pattern is not a valid regex. */
  constructor(script: FakeLlmScript | ParsedFakeLlmScript) {
    this.script = FakeLlmScriptSchema.parse(script);
    const patternIssues = findScriptPatternIssues(this.script);
    if (patternIssues.length > 0)
      throw new Error(`Invalid fake-llm script:\n  ${patternIssues.join('\n  ')}`);
    this.rules = this.script.rules.map((rule, index) => ({
      index,
      lastUserMessage: compilePattern(rule.match.lastUserMessage),
      lastToolResult: compilePattern(rule.match.lastToolResult),
      responseFormat: compilePattern(rule.match.responseFormat),
      step: rule.match.step,
      model: rule.match.model,
      protocol: rule.match.protocol,
      times: rule.times,
      reply: rule.reply,
    }));
    this.ruleUses = this.rules.map(() => 0);
  }

  /** Forgets every answer given: turns start again from the first, rules regain their `times`. */
  reset(): void {
    this.nextTurn = 0;
    this.requestCount = 0;
    this.ruleUses = this.rules.map(() => 0);
  }

  /** How many requests this engine has answered (or failed to) since it was made or reset. */
  get requests(): number {
    return this.requestCount;
  }

  /** Chooses the answer to one request and advances the engine's state. */
  respond(request: ChatRequest, context: ScriptRequestContext): ScriptOutcome {
    this.requestCount += 1;
    const requestNumber = this.requestCount;
    const step = request.messages.filter((message) => message.role === 'assistant').length;
    const lastUserMessage = lastContentOf(request.messages, 'user');
    const lastToolResult = lastContentOf(request.messages, 'tool');
    const systemMessage = lastContentOf(request.messages, 'system');
    const outputName = request.responseFormat?.name;

    const facts: RequestFacts = {
      ...context,
      step,
      lastUserMessage,
      lastToolResult,
      systemMessage,
      outputName,
    };
    const rule = this.rules.find(
      (candidate) =>
        (candidate.times === undefined || (this.ruleUses[candidate.index] ?? 0) < candidate.times) &&
        ruleMatches(candidate, facts),
    );

    let chosen: { reply: ScriptedReply; answeredBy: ScriptSource } | undefined;
    if (rule) {
      this.ruleUses[rule.index] = (this.ruleUses[rule.index] ?? 0) + 1;
      chosen = { reply: rule.reply, answeredBy: `rule ${rule.index}` };
    } else {
      const turn = this.script.turns[this.nextTurn];
      if (turn) {
        chosen = { reply: turn, answeredBy: `turn ${this.nextTurn}` };
        this.nextTurn += 1;
      }
    }

    if (!chosen) {
      const where =
        `model "${context.model}"${context.protocol ? `, ${context.protocol} protocol` : ''}` +
        `${outputName !== undefined ? `, output "${outputName}"` : ''}, step ${step}`;
      const quoted =
        lastUserMessage === undefined ? '(none)' : JSON.stringify(truncate(lastUserMessage, 300));
      return {
        kind: 'exhausted',
        answeredBy: 'exhausted',
        requestNumber,
        step,
        usage: { ...usageFor(request, {}, 0), outputTokens: 0 },
        message:
          `fake-llm script exhausted: request #${requestNumber} (${where}) matched no rule and all ` +
          `${this.script.turns.length} turns are used. Last user message: ${quoted}`,
      };
    }

    const { reply, answeredBy } = chosen;
    const text = replyText(reply, facts);
    const toolCalls: ToolCall[] = reply.toolCalls.map((call, index) => ({
      // Deterministic ids keep recorded runs and assertions stable; unique within a conversation.
      id: `call_${step}_${index}`,
      name: call.name,
      arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
    }));
    const outputCharacters =
      text.length + toolCalls.reduce((sum, call) => sum + call.name.length + call.arguments.length, 0);

    return {
      kind: 'answer',
      answeredBy,
      requestNumber,
      step,
      reply: {
        text,
        toolCalls,
        usage: usageFor(request, reply.usage ?? {}, outputCharacters),
        finishReason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
      },
      fault: pickFault(reply),
    };
  }
}

/** Scripted counts where given; the rest estimated. Output is at least 1 token, as providers never report 0. */
function usageFor(request: ChatRequest, given: Partial<Usage>, outputCharacters: number): Usage {
  const cachedInputTokens = given.cachedInputTokens ?? 0;
  // Input includes cached input (see UsageSchema), so an estimate never reports less than the cache.
  const inputTokens =
    given.inputTokens ?? Math.max(estimateTokens(promptCharacters(request)), cachedInputTokens);
  const outputTokens = given.outputTokens ?? Math.max(1, estimateTokens(outputCharacters));
  return { inputTokens, outputTokens, cachedInputTokens, reasoningTokens: 0 };
}

/** The reply's fault fields: everything but what it says. */
function pickFault(reply: ScriptedReply): Fault {
  const { text: _text, json: _json, toolCalls: _toolCalls, usage: _usage, ...fault } = reply;
  return fault;
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}…`;
}
