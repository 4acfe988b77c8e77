import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { readBody, redactHeaders, sendEventStream, sendJsonText, waitWhileConnected } from './http.js';
import type { AddressInfo } from 'node:net';
import type { ChatRequest } from '../common/chat.js';
import { anthropicProtocol } from './anthropic-protocol.js';
import { parseFakeLlmScript } from '../activities/llm/scripted/load-script.js';
import { openAiProtocol } from './openai-protocol.js';
import { answerEmbeddings } from './embeddings.js';
import {
  faultStatus,
  ScriptEngine,
  type AnsweredBy,
  type WireProtocol,
} from '../activities/llm/scripted/script-engine.js';
import type { FakeLlmScript, ParsedFakeLlmScript } from '../activities/llm/scripted/script-schema.js';
import type { WireProtocolAdapter } from './wire-protocol.js';
import type { StreamEvent } from './stream-events.js';

/** One request the fake server received, as recorded in `requests` and served by `GET /_fake/requests`. */
export interface RecordedRequest {
  readonly protocol: WireProtocol;
  /** The URL path without its query, e.g. `/v1/messages`. */
  readonly path: string;
  /** The model the body names; null when the body has none (or is not JSON). */
  model: string | null;
  /** Assistant messages already in the request; null when the request never reached the script. */
  step: number | null;
  /** Request headers, with API keys replaced by `[redacted]` so logs can be shared. */
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  /** The request in the neutral shape the script engine read; null when it could not be parsed. */
  chatRequest: ChatRequest | null;
  /** OpenAI's `response_format` as sent, when sent; the neutral form is `chatRequest.responseFormat`. */
  responseFormat?: unknown;
  /** `Date.now()` when the request arrived. */
  readonly receivedAt: number;
  /**
   * Which rule or turn answered (`rule 0` is `rules[0]`), `exhausted`, or `rejected` when the
   * request was refused before reaching the script (not JSON, invalid shape).
   */
  answeredBy: AnsweredBy | 'rejected' | null;
  /** The HTTP status sent; null while no response has been sent (a delay or a hang). */
  status: number | null;
}

/** Options of `startFakeLlmServer`. */
export interface FakeLlmServerOptions {
  readonly script: FakeLlmScript | ParsedFakeLlmScript;
  /** 0 (the default) picks a free port; read it back from `port`. */
  readonly port?: number;
  /** Loopback by default: the fake has no authentication and must not be reachable from elsewhere. */
  readonly host?: string;
  /** Receives one line per model request: `method path model step -> answeredBy status ms`. */
  readonly log?: (line: string) => void;
}

/** A running fake LLM server speaking the OpenAI Chat Completions and Anthropic Messages protocols. */
export interface FakeLlmServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  /** Every request received since start or the last `reset()`, oldest first. */
  readonly requests: RecordedRequest[];
  /** Replaces the script; turn and rule counters start again. The request log is kept. */
  setScript(script: FakeLlmScript | ParsedFakeLlmScript): void;
  /** Restarts the script's counters and clears the request log (also `POST /_fake/reset`). */
  reset(): void;
  /** Stops listening and ends every open connection, hanging ones included. */
  close(): Promise<void>;
}

type JsonSender = (status: number, text: string, headers?: Record<string, string>) => void;
type StreamSender = (
  events: readonly StreamEvent[],
  options: { delayMs?: number | undefined; cutAfter?: number | undefined },
) => Promise<void>;

const embeddingRoutes: ReadonlySet<string> = new Set(['/v1/embeddings', '/embeddings']);

const protocolRoutes: Readonly<Record<string, WireProtocolAdapter>> = {
  '/v1/chat/completions': openAiProtocol,
  '/chat/completions': openAiProtocol,
  '/v1/messages': anthropicProtocol,
  '/messages': anthropicProtocol,
};

class FakeLlmHttpServer implements FakeLlmServer {
  private engine: ScriptEngine;
  private log: RecordedRequest[] = [];
  private closing: Promise<void> | undefined;
  private readonly server = createServer((request, response) => {
    this.handle(request, response).catch((error: unknown) => {
      // A bug in the fake must still answer, or the client under test would hang.
      if (!response.headersSent) {
        const message = `fake-llm internal error: ${error instanceof Error ? error.message : String(error)}`;
        sendJsonText(response, 500, JSON.stringify({ error: { message } }));
      } else response.destroy();
    });
  });
  url = '';
  port = 0;

  constructor(
    script: FakeLlmScript | ParsedFakeLlmScript,
    private readonly logLine: ((line: string) => void) | undefined,
  ) {
    this.engine = new ScriptEngine(script);
  }

  get requests(): RecordedRequest[] {
    return this.log;
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  setScript(script: FakeLlmScript | ParsedFakeLlmScript): void {
    this.engine = new ScriptEngine(script);
  }

  reset(): void {
    this.engine.reset();
    this.log = [];
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      // Keep-alive and hanging connections would otherwise hold close() open indefinitely.
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', 'http://fake-llm').pathname;
    const adapter = protocolRoutes[path];
    if (adapter && method === 'POST') return this.answerModelRequest(adapter, path, request, response);
    if (embeddingRoutes.has(path) && method === 'POST')
      return this.answerEmbeddingsRequest(path, request, response);
    if (path === '/_fake/requests' && method === 'GET')
      return sendJsonText(response, 200, JSON.stringify(this.log));
    if (path === '/_fake/reset' && method === 'POST') {
      await readBody(request);
      this.reset();
      return sendJsonText(response, 200, JSON.stringify({ ok: true }));
    }
    if (path === '/_fake/script' && method === 'POST') return this.replaceScript(request, response);
    const known = adapter !== undefined || path.startsWith('/_fake/');
    const message = known
      ? `fake-llm: ${method} is not supported on ${path}`
      : `fake-llm: no route for ${method} ${path}; use POST /v1/chat/completions, /v1/messages or /v1/embeddings`;
    sendJsonText(response, known ? 405 : 404, JSON.stringify({ error: { message } }));
  }

  /** A new entry of the request log, filled in as the request is answered. */
  private record(protocol: WireProtocol, path: string, request: IncomingMessage): RecordedRequest {
    const record: RecordedRequest = {
      protocol,
      path,
      model: null,
      step: null,
      headers: redactHeaders(request.headers),
      body: null,
      chatRequest: null,
      receivedAt: Date.now(),
      answeredBy: null,
      status: null,
    };
    this.log.push(record);
    return record;
  }

  /** `POST /v1/embeddings`: recorded like a model request, answered by `answerEmbeddings`. */
  private async answerEmbeddingsRequest(path: string, request: IncomingMessage, response: ServerResponse) {
    const record = this.record('openai', path, request);
    const text = await readBody(request);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Left as text: answerEmbeddings refuses it with a 400 naming the problem.
    }
    record.body = body;
    const answer = answerEmbeddings(body);
    record.model = answer.model;
    record.status = answer.status;
    sendJsonText(response, answer.status, JSON.stringify(answer.body), {
      'x-request-id': `req_fake_${this.log.length}`,
    });
    this.logLine?.(`POST ${path} ${record.model ?? '-'} -> embeddings ${answer.status}`);
  }

  /** `POST /_fake/script`: swaps the script of a server started from the CLI, for tests in another process. */
  private async replaceScript(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      this.setScript(parseFakeLlmScript(JSON.parse(await readBody(request)), 'POST /_fake/script'));
      sendJsonText(response, 200, JSON.stringify({ ok: true }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      sendJsonText(response, 400, JSON.stringify({ error: { message } }));
    }
  }

  private async answerModelRequest(
    adapter: WireProtocolAdapter,
    path: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const record = this.record(adapter.protocol, path, request);
    const requestId = adapter.requestId(this.log.length);
    const send = (status: number, text: string, headers: Record<string, string> = {}): void => {
      record.status = status;
      sendJsonText(response, status, text, { [adapter.requestIdHeader]: requestId, ...headers });
    };
    const stream: StreamSender = (events, options) => {
      record.status = 200;
      return sendEventStream(response, events, {
        ...options,
        headers: { [adapter.requestIdHeader]: requestId },
      });
    };
    const reject = (message: string): void => {
      record.answeredBy = 'rejected';
      send(
        400,
        JSON.stringify(
          adapter.errorBody({ status: 400, message, model: record.model ?? '', inputTokens: 0 }),
        ),
      );
    };
    try {
      await this.answer(adapter, request, record, response, { send, stream, reject });
    } finally {
      this.logLine?.(
        `${request.method} ${path} ${record.model ?? '-'} step ${record.step ?? '-'} -> ` +
          `${record.answeredBy ?? '-'} ${record.status ?? 'no response'} ${Date.now() - record.receivedAt}ms`,
      );
    }
  }

  private async answer(
    adapter: WireProtocolAdapter,
    request: IncomingMessage,
    record: RecordedRequest,
    response: ServerResponse,
    { send, stream, reject }: { send: JsonSender; stream: StreamSender; reject: (message: string) => void },
  ): Promise<void> {
    const text = await readBody(request);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      record.body = text;
      return reject(
        `fake-llm: request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    record.body = body;
    const fields = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    if (typeof fields.model === 'string') record.model = fields.model;
    const parsed = adapter.parseRequest(body);
    if (!parsed.ok) return reject(parsed.message);
    const { model, chatRequest, responseFormat } = parsed.value;
    record.chatRequest = chatRequest;
    if (responseFormat !== undefined) record.responseFormat = responseFormat;

    const outcome = this.engine.respond(chatRequest, { model, protocol: adapter.protocol });
    record.step = outcome.step;
    record.answeredBy = outcome.answeredBy;
    if (outcome.kind === 'exhausted') {
      const error = { status: 500, message: outcome.message, model, inputTokens: outcome.usage.inputTokens };
      return send(500, JSON.stringify(adapter.errorBody(error)));
    }

    const { fault, reply } = outcome;
    if (fault.hang) {
      await waitWhileConnected(response, undefined);
      return;
    }
    if (fault.delayMs !== undefined && !(await waitWhileConnected(response, fault.delayMs))) return;

    const status = faultStatus(fault);
    if (status !== undefined) {
      const error = {
        status,
        message: fault.errorMessage,
        code: fault.errorCode,
        model,
        inputTokens: reply.usage.inputTokens,
      };
      const headers: Record<string, string> =
        fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
      return send(status, JSON.stringify(adapter.errorBody(error)), headers);
    }
    if (fault.malformed) {
      // What a misbehaving proxy sends: an HTML error page labelled as JSON.
      return send(
        200,
        '<html><body><h1>502 Bad Gateway</h1> (fake-llm scripted malformed response)</body></html>',
      );
    }
    const replyContext = {
      requestNumber: outcome.requestNumber,
      model,
      responseFormat: chatRequest.responseFormat,
    };
    const answer = fault.empty
      ? adapter.emptyBody({ ...replyContext, usage: reply.usage })
      : adapter.successBody(reply, replyContext);
    if (fields.stream === true) {
      const events = adapter.streamEvents(answer, fields);
      return stream(events, {
        delayMs: fault.chunkDelayMs,
        cutAfter: fault.truncated ? Math.floor(events.length / 2) : undefined,
      });
    }
    const json = JSON.stringify(answer);
    // Half of a JSON object never parses: its braces cannot balance.
    send(200, fault.truncated ? json.slice(0, Math.floor(json.length / 2)) : json);
  }
}

/**
 * Starts the fake LLM server. Model endpoints: `POST /v1/chat/completions` and
 * `/chat/completions` (OpenAI), `POST /v1/messages` and `/messages` (Anthropic), `POST
 * /v1/embeddings` and `/embeddings` (OpenAI, deterministic vectors). Control
 * endpoints: `GET /_fake/requests` (the request log), `POST /_fake/reset`, `POST /_fake/script`.
 *
 * @throws Error when the script is invalid or the port cannot be bound.
 */
export async function startFakeLlmServer(options: FakeLlmServerOptions): Promise<FakeLlmServer> {
  const server = new FakeLlmHttpServer(options.script, options.log);
  await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return server;
}
