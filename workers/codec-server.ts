/**
 * A Temporal codec server: the Temporal UI and `temporal workflow show --codec-endpoint` send it
 * the encrypted payloads of a history and show what it gives back, decrypted, to those allowed.
 * It speaks Temporal's codec protocol: `POST /decode` and `POST /encode` with
 * `{"payloads": [{"metadata": {...}, "data": "..."}]}`, bytes in base64.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Payload } from '@temporalio/common';
import { EncryptionCodec, type PayloadKey } from './payload-encryption.js';
import { serveJson, type JsonServer } from './serve-json.js';

/** A payload as the codec protocol carries it: proto3 JSON, bytes in base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (payload: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  ),
  data: Buffer.from(payload.data ?? '', 'base64'),
});

const toJson = (payload: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value ?? []).toString('base64'),
    ]),
  ),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});

export interface CodecServerOptions {
  keys: readonly PayloadKey[];
  port: number;
  host: string;
  /** Origins whose pages may call it (the Temporal UI's, e.g. http://localhost:8233). */
  allowedOrigins: readonly string[];
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  authToken?: string | undefined;
}

/** Largest request body read: a history's payloads, not an upload. */
const maxBodyBytes = 64 * 1024 * 1024;

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new Error(`the request is larger than ${maxBodyBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Starts the codec server. Answers CORS preflights for `allowedOrigins` (credentials allowed, as
 * the UI sends them), refuses other routes (404), other methods (405), a missing or wrong bearer
 * token (401), a body that is not `{payloads: [...]}` (400), and a payload it cannot open (422,
 * naming the key id). Has no state and no side effects: encoding and decoding are pure.
 */
export async function startCodecServer(options: CodecServerOptions): Promise<JsonServer> {
  const codec = new EncryptionCodec(options.keys);
  const send = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const origin = request.headers.origin;
    if (origin && options.allowedOrigins.includes(origin)) {
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('access-control-allow-credentials', 'true');
      response.setHeader('access-control-allow-headers', 'content-type, x-namespace, authorization');
      response.setHeader('access-control-allow-methods', 'POST, OPTIONS');
      response.setHeader('vary', 'origin');
    }
    if (request.method === 'OPTIONS') {
      response.writeHead(200);
      response.end();
      return;
    }
    const route = new URL(request.url ?? '/', 'http://codec').pathname.replace(/\/+$/, '');
    if (route !== '/encode' && route !== '/decode')
      return send(response, 404, { error: 'POST /encode or POST /decode' });
    if (request.method !== 'POST') return send(response, 405, { error: `${route} takes POST` });
    if (options.authToken !== undefined && !bearerMatches(request.headers.authorization, options.authToken))
      return send(response, 401, { error: 'a bearer token is required (Authorization: Bearer <token>)' });
    let body: unknown;
    try {
      body = await readJson(request);
    } catch (error) {
      return send(response, 400, { error: `the body is not JSON: ${(error as Error).message}` });
    }
    const payloads = (body as { payloads?: unknown } | null)?.payloads;
    if (!Array.isArray(payloads))
      return send(response, 400, { error: 'the body must be {"payloads": [...]}' });
    try {
      const input = (payloads as JsonPayload[]).map(fromJson);
      const output = route === '/encode' ? await codec.encode(input) : await codec.decode(input);
      send(response, 200, { payloads: output.map(toJson) });
    } catch (error) {
      send(response, 422, { error: (error as Error).message });
    }
  };
  return serveJson(options.port, options.host, handle);
}
