import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A small HTTP server of the worker's (health, codec): where it listens, and how to stop it. */
export interface JsonServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `handle` on `host:port` (0: a free port); a handler that throws answers 500 with the
 * message as JSON. Resolves once it listens; rejects when the port is taken.
 */
export async function serveJson(
  port: number,
  host: string,
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
): Promise<JsonServer> {
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
