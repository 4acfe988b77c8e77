/**
 * One background dev server per state folder: a second `server start` on another port refuses
 * and names the one that runs (two servers would write the same SQLite file), the same port
 * reuses it, and `server stop` stops it and then says none runs.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  ensureBackgroundServer,
  isServerUp,
  recordedServer,
  stopBackgroundServer,
} from '../../client/dev-server/background-server.js';
import { freePort } from '../helpers/free-port.js';

void describe('the background dev server of a state folder', { timeout: 300_000 }, () => {
  let stateDirectory: string;
  after(async () => {
    if (stateDirectory) {
      await stopBackgroundServer(stateDirectory);
      await rm(stateDirectory, { recursive: true, force: true });
    }
  });

  void it('runs once per state file: reused on its port, refused on another, stopped once', async () => {
    stateDirectory = await mkdtemp(path.join(tmpdir(), 'llmos-state-'));
    const [port, uiPort, otherPort] = [await freePort(), await freePort(), await freePort()];
    const log = () => {};
    const first = await ensureBackgroundServer({ port, uiPort, log, stateDirectory });
    assert.deepEqual(first, { address: `127.0.0.1:${port}`, started: true });
    const running = await recordedServer(stateDirectory);
    assert.equal(running?.port, port);

    await assert.rejects(ensureBackgroundServer({ port: otherPort, uiPort, log, stateDirectory }), {
      message: `a dev server already runs on ${path.join(stateDirectory, 'temporal.db')}, at 127.0.0.1:${port} (pid ${running.pid}): use --port ${port}, or stop it first with \`llmos server stop\``,
    });
    assert.equal(await isServerUp(`127.0.0.1:${otherPort}`), false, 'no second server started');
    assert.deepEqual(await ensureBackgroundServer({ port, uiPort, log, stateDirectory }), {
      address: `127.0.0.1:${port}`,
      started: false,
    });

    const stopped = await stopBackgroundServer(stateDirectory);
    assert.equal(stopped?.pid, running.pid);
    assert.equal(await isServerUp(`127.0.0.1:${port}`), false);
    assert.equal(await recordedServer(stateDirectory), undefined);
    assert.equal(await stopBackgroundServer(stateDirectory), undefined);
  });
});
