/**
 * The transports of `llmos mcp`: stdio (the client starts `llmos mcp` itself), or Streamable
 * HTTP at `/mcp`, stateless (a new server per request: any instance can answer any request),
 * behind a bearer token.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { createLlmosMcpServer, type LlmosMcpServerOptions } from './llmos-mcp-server.js';

/** Serves one client over this process's stdin and stdout; resolves when the client closes them. */
export async function serveMcpOverStdio(options: LlmosMcpServerOptions): Promise<void> {
  const server = createLlmosMcpServer(options);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = resolve;
    process.stdin.once('end', resolve);
  });
  await server.connect(new StdioServerTransport());
  await closed;
  await server.close();
}

/** Serves Streamable HTTP at `http://<host>:<port>/mcp`; every request needs `Authorization: Bearer <token>`. */
export async function serveMcpOverHttp(
  options: LlmosMcpServerOptions & { port: number; host: string; token: string },
): Promise<{ url: string; close: () => Promise<void> }> {
  const expected = Buffer.from(options.token);
  const app = new Hono();
  app.use(
    '/mcp',
    bearerAuth({
      verifyToken: (given) => {
        const offered = Buffer.from(given);
        return Promise.resolve(offered.length === expected.length && timingSafeEqual(offered, expected));
      },
    }),
  );
  app.all('/mcp', async (c) => {
    const server = createLlmosMcpServer(options);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    return transport.handleRequest(c.req.raw);
  });
  const listening = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () =>
      resolve(started),
    );
  });
  const { port } = listening.address() as AddressInfo;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve, reject) => listening.close((error) => (error ? reject(error) : resolve()))),
  };
}
