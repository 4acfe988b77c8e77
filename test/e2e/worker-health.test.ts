/**
 * `llmos worker` with LLMOS_HEALTH_PORT: the liveness and readiness a container healthcheck or a
 * Kubernetes probe reads, against a real worker process whose way to Temporal the test can cut.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { WorkerHealth } from '../../workers/health-server.js';
import { connectTemporal } from '../helpers/temporal.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';
import { eventually } from '../helpers/eventually.js';
import { freePort } from '../helpers/free-port.js';

/** A TCP relay to Temporal that the test can cut, as a network partition would. */
async function startRelay(upstream: string): Promise<{ address: string; cut(): Promise<void> }> {
  const [host, port] = [
    upstream.slice(0, upstream.lastIndexOf(':')),
    Number(upstream.slice(upstream.lastIndexOf(':') + 1)),
  ];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const remote = connect(port, host);
    for (const socket of [client, remote]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(remote).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: relayPort } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${relayPort}`,
    cut: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

void describe('llmos worker: liveness and readiness over HTTP', { timeout: 180_000 }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let worker: WorkerProcess | undefined;
  let health: string;
  const taskQueue = `health-${randomUUID()}`;

  before(async () => {
    temporal = await connectTemporal();
    relay = await startRelay(temporal.address);
    const port = await freePort();
    health = `http://127.0.0.1:${port}`;
    worker = await startWorkerProcess({
      address: relay.address,
      taskQueue,
      env: {
        LLMOS_HEALTH_PORT: String(port),
        LLMOS_HEALTH_HOST: '127.0.0.1',
        LLMOS_RATE_LIMITS: 'openai=5,anthropic=2',
      },
    });
  });
  after(async () => {
    await worker?.stop();
    await relay?.cut().catch(() => {});
    await temporal?.close();
  });

  const get = async (route: string) => {
    const response = await fetch(`${health}${route}`);
    return { status: response.status, body: (await response.json()) as WorkerHealth & { error?: string } };
  };

  void it('is ready once every worker polls and Temporal answers, and says so per task queue', async () => {
    const ready = await eventually('readiness', async () => {
      const answer = await get('/readyz');
      return answer.status === 200 ? answer : undefined;
    });
    assert.equal(ready.body.ready, true);
    assert.equal(ready.body.temporal, 'serving');
    assert.deepEqual(ready.body.problems, []);
    assert.deepEqual(
      ready.body.workers.map((entry) => entry.taskQueue),
      [taskQueue, `${taskQueue}-models-openai`, `${taskQueue}-models-anthropic`],
      'the main worker and one per rate-limited provider, none for the others',
    );
    assert.ok(
      ready.body.workers.every((entry) => entry.runState === 'RUNNING' && entry.activityPoller === 'POLLING'),
    );
    assert.equal((await get('/livez')).status, 200);
    const unknown = await get('/metrics');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error ?? '', /GET \/livez or GET \/readyz/);
  });

  void it('is not ready while Temporal cannot be reached, but still live', async () => {
    await relay.cut();
    const notReady = await get('/readyz');
    assert.equal(notReady.status, 503);
    assert.equal(notReady.body.ready, false);
    assert.match(notReady.body.temporal, /^unreachable: /);
    assert.ok(notReady.body.problems.some((problem) => problem.startsWith('Temporal unreachable')));
    const live = await get('/livez');
    assert.equal(live.status, 200);
    assert.equal(live.body.live, true);
  });

  void it('stops serving when the worker stops', async () => {
    const exit = await worker!.stop();
    assert.equal(exit.code, 0, worker!.output());
    await assert.rejects(fetch(`${health}/livez`));
  });
});
