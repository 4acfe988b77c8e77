import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createHttpGetTool, type HttpGetOptions } from '../../activities/tools/http-get.js';
import { ToolInputError } from '../../activities/tools/tool.js';

void describe('http_get tool', () => {
  let server: Server;
  let port: number;
  let base: string;
  const paths: string[] = [];

  before(async () => {
    server = createServer((request, response) => {
      const path = request.url ?? '/';
      paths.push(path);
      const send = (status: number, body: string, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
        response.end(body);
      };
      if (path === '/ok') return send(200, 'hello from the test server');
      if (path === '/json') return send(200, '{"answer":42}', { 'content-type': 'application/json' });
      if (path === '/missing') return send(404, 'no such page');
      if (path === '/boom') return send(500, 'internal error');
      if (path === '/big') return send(200, 'a'.repeat(250));
      if (path === '/redirect-in') return send(302, '', { location: '/ok' });
      if (path === '/redirect-out') return send(302, '', { location: 'http://example.com/steal' });
      if (path === '/redirect-localhost') return send(302, '', { location: `http://localhost:${port}/ok` });
      if (path === '/loop') return send(302, '', { location: '/loop' });
      if (path === '/slow') {
        setTimeout(() => send(200, 'too late'), 5_000).unref();
        return;
      }
      send(404, 'unknown test route');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const context = () => ({
    signal: new AbortController().signal,
    idempotencyKey: 'wf/1',
    boundary: '0123456789ab',
    spend: () => {},
  });
  // async: the tool may throw before its first await; callers always see a promise.
  const get = async (url: string, options: Partial<HttpGetOptions> = {}) =>
    createHttpGetTool({ allowedHosts: [`127.0.0.1:${port}`], ...options }).execute({ url }, context());

  async function refused(url: string, message: RegExp, options: Partial<HttpGetOptions> = {}): Promise<void> {
    await assert.rejects(get(url, options), (error: unknown) => {
      assert.ok(error instanceof ToolInputError, String(error));
      assert.match(error.message, message);
      return true;
    });
  }

  async function failed(url: string, message: RegExp, options: Partial<HttpGetOptions> = {}): Promise<void> {
    await assert.rejects(get(url, options), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure, String(error));
      assert.equal(error.type, 'ToolFailed');
      assert.equal(error.nonRetryable, false);
      assert.match(error.message, message);
      return true;
    });
  }

  void it('returns status, content type and the body marked as untrusted', async () => {
    assert.equal(
      await get(`${base}/ok`),
      [
        'HTTP 200 text/plain; charset=utf-8',
        `<untrusted-0123456789ab source="${base}/ok">`,
        'hello from the test server',
        '</untrusted-0123456789ab>',
      ].join('\n'),
    );
    assert.match(
      await get(`${base}/json`),
      /^HTTP 200 application\/json\n<untrusted-0123456789ab source="[^"]+">\n\{"answer":42\}\n<\/untrusted-0123456789ab>$/,
    );
  });

  void it('allows a host by name on any port, and by host:port only on that port', async () => {
    assert.match(await get(`${base}/ok`, { allowedHosts: ['127.0.0.1'] }), /^HTTP 200/);
    assert.match(
      await get(`${base}/ok`, { allowedHosts: ['example.com', `127.0.0.1:${port}`] }),
      /^HTTP 200/,
    );
    const before = paths.length;
    await refused(
      `${base}/ok`,
      new RegExp(`host 127\\.0\\.0\\.1:${port} is not on the allow-list; allowed hosts: 127\\.0\\.0\\.1:1$`),
      {
        allowedHosts: ['127.0.0.1:1'],
      },
    );
    await refused(`http://localhost:${port}/ok`, /is not on the allow-list/);
    await refused('https://example.com/', /host example\.com is not on the allow-list/);
    assert.equal(paths.length, before, 'a refused URL is never fetched');
  });

  void it('compares hosts without regard to case', async () => {
    assert.match(await get(`http://LOCALHOST:${port}/ok`, { allowedHosts: ['LocalHost'] }), /^HTTP 200/);
  });

  void it('refuses every URL when the allow-list is empty, and says how to set it', async () => {
    await refused(`${base}/ok`, /allowed hosts: none \(set LLMOS_HTTP_ALLOWED_HOSTS\)/, { allowedHosts: [] });
  });

  void it('refuses schemes other than http and https, and relative URLs', async () => {
    await refused('file:///etc/passwd', /only http and https URLs are allowed/);
    await refused(`ftp://127.0.0.1:${port}/x`, /only http and https URLs are allowed/);
    await refused('javascript:alert(1)', /only http and https URLs are allowed/);
    await refused('/ok', /"\/ok" is not an absolute URL/);
  });

  void it('follows redirects within the allow-list and reports the final URL', async () => {
    const observation = await get(`${base}/redirect-in`);
    assert.match(observation, /^HTTP 200/);
    assert.ok(observation.includes(`<untrusted-0123456789ab source="${base}/ok">`));
    assert.ok(observation.includes('hello from the test server'));
  });

  void it('refuses a redirect to a host not on the allow-list without fetching it', async () => {
    const before = paths.length;
    await refused(`${base}/redirect-out`, /host example\.com is not on the allow-list/);
    await refused(
      `${base}/redirect-localhost`,
      new RegExp(`host localhost:${port} is not on the allow-list`),
    );
    assert.deepEqual(paths.slice(before), ['/redirect-out', '/redirect-localhost']);
  });

  void it('stops after maxRedirects redirects', async () => {
    const before = paths.length;
    await refused(`${base}/loop`, /more than 2 redirects/, { maxRedirects: 2 });
    assert.equal(paths.length - before, 3);
  });

  void it('gives a 4xx answer to the model as an observation', async () => {
    const observation = await get(`${base}/missing`);
    assert.match(observation, /^HTTP 404 text\/plain/);
    assert.ok(observation.includes('no such page'));
  });

  void it('fails a 5xx answer as a retryable ToolFailed', async () => {
    await failed(`${base}/boom`, new RegExp(`GET ${base}/boom answered 500`));
  });

  void it('fails a network error or a timeout as a retryable ToolFailed', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await failed(`http://127.0.0.1:${closedPort}/`, /failed/, { allowedHosts: ['127.0.0.1'] });
    await failed(`${base}/slow`, new RegExp(`GET ${base}/slow failed`), { timeoutMs: 200 });
  });

  void it('cuts the body to maxCharacters and says how much was cut', async () => {
    const observation = await get(`${base}/big`, { maxCharacters: 100 });
    assert.ok(
      observation.includes(`\n${'a'.repeat(100)}\n[... 150 more characters cut]\n</untrusted-0123456789ab>`),
    );
    assert.ok(!observation.includes('a'.repeat(101)));
    assert.ok((await get(`${base}/big`)).includes(`\n${'a'.repeat(250)}\n</untrusted-0123456789ab>`));
  });

  void it('lists the allowed hosts in its description', () => {
    assert.match(
      createHttpGetTool({ allowedHosts: ['a.example', 'b.example:8080'] }).description,
      /Allowed hosts: a\.example, b\.example:8080\.$/,
    );
    assert.match(createHttpGetTool({ allowedHosts: [] }).description, /Allowed hosts: none\.$/);
  });
});
