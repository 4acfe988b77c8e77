import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { StreamEvent } from './stream-events.js';

/** HTTP plumbing of the fake LLM server: reading bodies, writing JSON, waiting out faults. */
const secretHeaders = new Set(['authorization', 'x-api-key', 'api-key', 'proxy-authorization']);

export function redactHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy: IncomingHttpHeaders = { ...headers };
  for (const name of Object.keys(copy)) if (secretHeaders.has(name)) copy[name] = '[redacted]';
  return copy;
}

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJsonText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/**
 * Resolves true after `ms` (or never, when `ms` is undefined) if the client is still connected,
 * false as soon as the connection closes: a client abort or `close()` ends every wait.
 */
export function waitWhileConnected(response: ServerResponse, ms: number | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (response.destroyed || response.socket === null) {
      resolve(false);
      return;
    }
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer =
      ms === undefined
        ? undefined
        : setTimeout(() => {
            response.off('close', onClose);
            resolve(true);
          }, ms);
    response.once('close', onClose);
  });
}

/**
 * Answers 200 with `events` as server-sent events, `delayMs` apart. With `cutAfter`, the
 * connection is dropped after that many events, as when a proxy dies mid-reply. Resolves once the
 * last event is written, or the client has gone.
 */
export async function sendEventStream(
  response: ServerResponse,
  events: readonly StreamEvent[],
  options: {
    headers?: Record<string, string>;
    delayMs?: number | undefined;
    cutAfter?: number | undefined;
  } = {},
): Promise<void> {
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...options.headers,
  });
  for (const [index, event] of events.entries()) {
    if (index === options.cutAfter) {
      // What was written reaches the client first; then the connection drops without the end.
      response.socket?.destroySoon();
      return;
    }
    if (index > 0 && options.delayMs && !(await waitWhileConnected(response, options.delayMs))) return;
    const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
    await new Promise<void>((resolve) => {
      response.write(`${event.event ? `event: ${event.event}\n` : ''}data: ${data}\n\n`, () => resolve());
    });
  }
  response.end();
}
