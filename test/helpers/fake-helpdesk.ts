/**
 * A helpdesk on loopback that speaks the part of Zendesk's ticket API llmos uses: create
 * (`POST /api/v2/tickets.json`, honouring `Idempotency-Key` unless told not to), show
 * (`GET /api/v2/tickets/<id>.json`) and list (`GET /api/v2/tickets.json`, by `external_id` or
 * newest first). It checks the token, and can lose its answer to the next create after making
 * the ticket, as a connection dropped mid-response does.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HelpdeskTicket {
  id: number;
  subject: string;
  description: string;
  priority: string;
  status: string;
  created_at: string;
  external_id: string | null;
  tags: string[];
}

export interface FakeHelpdesk {
  url: string;
  token: string;
  tickets: HelpdeskTicket[];
  /** Every request: method and path. */
  requests: string[];
  /** The next create makes its ticket, then answers 500 instead of it. */
  loseNextAnswer(): void;
  /** Whether `Idempotency-Key` is honoured (it is, by default). */
  honourIdempotencyKeys: boolean;
  close(): Promise<void>;
}

const body = async (request: IncomingMessage): Promise<unknown> => {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
};

export async function startFakeHelpdesk(): Promise<FakeHelpdesk> {
  const token = 'test-token';
  const tickets: HelpdeskTicket[] = [];
  const requests: string[] = [];
  const byIdempotencyKey = new Map<string, HelpdeskTicket>();
  let loseNext = false;
  const desk = { honourIdempotencyKeys: true };
  const server = createServer((request, response) => {
    const send = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://helpdesk');
      requests.push(`${request.method} ${url.pathname}${url.search}`);
      if (request.headers.authorization !== `Bearer ${token}`)
        return send(401, { error: "Couldn't authenticate you" });
      if (request.method === 'POST' && url.pathname === '/api/v2/tickets.json') {
        const key = request.headers['idempotency-key'];
        const repeated =
          typeof key === 'string' && desk.honourIdempotencyKeys ? byIdempotencyKey.get(key) : undefined;
        if (repeated) return send(201, { ticket: repeated });
        const { ticket } = (await body(request)) as {
          ticket: {
            subject: string;
            comment: { body: string };
            priority: string;
            external_id?: string;
            tags?: string[];
          };
        };
        const made: HelpdeskTicket = {
          id: 35436 + tickets.length,
          subject: ticket.subject,
          description: ticket.comment.body,
          priority: ticket.priority,
          status: 'new',
          created_at: new Date().toISOString(),
          external_id: ticket.external_id ?? null,
          tags: ticket.tags ?? [],
        };
        tickets.push(made);
        if (typeof key === 'string') byIdempotencyKey.set(key, made);
        if (loseNext) {
          loseNext = false;
          return send(500, { error: 'the connection was lost' });
        }
        return send(201, { ticket: made });
      }
      const one = /^\/api\/v2\/tickets\/(\d+)\.json$/.exec(url.pathname);
      if (request.method === 'GET' && one) {
        const found = tickets.find((ticket) => ticket.id === Number(one[1]));
        return found ? send(200, { ticket: found }) : send(404, { error: 'RecordNotFound' });
      }
      if (request.method === 'GET' && url.pathname === '/api/v2/tickets.json') {
        const external = url.searchParams.get('external_id');
        const listed =
          external === null
            ? [...tickets].reverse()
            : tickets.filter((ticket) => ticket.external_id === external);
        return send(200, { tickets: listed.slice(0, Number(url.searchParams.get('per_page') ?? 100)) });
      }
      return send(404, { error: 'InvalidEndpoint' });
    })().catch((error: unknown) => send(500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(desk, {
    url: `http://127.0.0.1:${port}`,
    token,
    tickets,
    requests,
    loseNextAnswer: () => void (loseNext = true),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
