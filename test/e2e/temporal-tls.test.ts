/**
 * Reaching a secured Temporal, as users of a real cluster or Temporal Cloud do: the test's
 * Temporal server behind nginx terminating TLS (certificates made by `openssl`), once with mTLS
 * and once with an API key. A worker process and the CLI connect through them, configured as a
 * user configures them: `TEMPORAL_*` variables, the `temporal` CLI's config file, llmos flags.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectTemporal } from '../helpers/temporal.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/test-certificates.js';
import { requireNginx, startTlsProxy, testNginx, type TlsProxy } from '../helpers/tls-proxy.js';
import { describeRun, runLlmos, startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

const question = 'What is 17.5% of 2,340, plus the square root of 144?';
const apiKey = `key-${randomUUID()}`;

void describe(
  'Temporal over TLS: a worker and the CLI through a TLS-terminating proxy',
  { ...requireNginx(), timeout: 300_000 },
  () => {
    let temporal: Awaited<ReturnType<typeof connectTemporal>>;
    let folder: string;
    let certs: TestCertificates;
    let mtls: TlsProxy;
    let keyed: TlsProxy;
    let worker: WorkerProcess | undefined;
    const taskQueue = `tls-${randomUUID()}`;

    before(async () => {
      temporal = await connectTemporal();
      folder = await mkdtemp(path.join(os.tmpdir(), 'llmos-tls-'));
      certs = await makeTestCertificates(folder);
      const nginx = testNginx()!;
      await mkdir(path.join(folder, 'mtls'));
      await mkdir(path.join(folder, 'keyed'));
      mtls = await startTlsProxy({
        nginx,
        folder: path.join(folder, 'mtls'),
        upstream: temporal.address,
        certificates: certs,
        clientCerts: true,
      });
      keyed = await startTlsProxy({
        nginx,
        folder: path.join(folder, 'keyed'),
        upstream: temporal.address,
        certificates: certs,
        apiKey,
      });
    });
    after(async () => {
      await worker?.stop();
      await Promise.allSettled([mtls?.stop(), keyed?.stop()]);
      await temporal?.close();
      await rm(folder, { recursive: true, force: true });
    });

    /** The CLI's TLS flags for the API-key proxy. */
    const keyedFlags = () => ['--address', keyed.address, '--tls-ca-path', certs.ca];

    void it('runs an agent: the worker over mTLS from TEMPORAL_* variables, the CLI with an API key flag', async () => {
      worker = await startWorkerProcess({
        address: mtls.address,
        taskQueue,
        env: {
          TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca,
          TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
          TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
        },
      });
      assert.match(
        worker.output(),
        new RegExp(`llmos worker on ${mtls.address}, namespace default \\(mTLS, CA `),
      );
      const run = await runLlmos(
        [
          'agent',
          question,
          '--model',
          'scripted:demo-agent',
          ...keyedFlags(),
          '--api-key',
          apiKey,
          '--id',
          `tls-${taskQueue}`,
        ],
        { LLMOS_TASK_QUEUE: taskQueue },
      );
      assert.equal(run.code, 0, describeRun(run));
      assert.match(run.stdout, /421\.5/);
    });

    void it('reads the connection from a profile of the temporal CLI config file', async () => {
      const configFile = path.join(folder, 'temporal.toml');
      await writeFile(
        configFile,
        [
          '[profile.secure]',
          `address = "${keyed.address}"`,
          `api_key = "${apiKey}"`,
          '[profile.secure.tls]',
          `server_ca_cert_path = "${certs.ca}"`,
          '',
        ].join('\n'),
      );
      const run = await runLlmos(['status', `tls-${taskQueue}`, '--profile', 'secure', '--json'], {
        TEMPORAL_CONFIG_FILE: configFile,
      });
      assert.equal(run.code, 0, describeRun(run));
      assert.equal((JSON.parse(run.stdout) as { stopReason: string }).stopReason, 'answer');
    });

    void it('refuses a wrong API key, and a server whose certificate the given CA did not sign, saying which', async () => {
      const wrongKey = await runLlmos(
        ['status', `tls-${taskQueue}`, ...keyedFlags(), '--api-key', 'not-the-key'],
        {},
      );
      assert.equal(wrongKey.code, 1, describeRun(wrongKey));
      assert.match(wrongKey.stderr, /refused the credentials \(the API key\).*401/);

      const wrongCa = await runLlmos(
        [
          'status',
          `tls-${taskQueue}`,
          '--address',
          keyed.address,
          '--tls-ca-path',
          certs.otherCa,
          '--api-key',
          apiKey,
        ],
        {},
      );
      assert.equal(wrongCa.code, 1, describeRun(wrongCa));
      assert.match(wrongCa.stderr, /TLS handshake failed: unable to verify the first certificate/);
      assert.match(wrongCa.stderr, new RegExp(`CA ${certs.otherCa.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

      const wrongName = await runLlmos(
        [
          'status',
          `tls-${taskQueue}`,
          ...keyedFlags(),
          '--api-key',
          apiKey,
          '--tls-server-name',
          'temporal.example.com',
        ],
        {},
      );
      assert.equal(wrongName.code, 1, describeRun(wrongName));
      assert.match(
        wrongName.stderr,
        /TLS handshake failed: Hostname\/IP does not match certificate's altnames/,
      );
    });

    void it('a worker whose CA did not sign the server certificate stops and names the handshake', async () => {
      const refused = await runLlmos(['worker', '--connect-timeout', '5s'], {
        TEMPORAL_ADDRESS: mtls.address,
        LLMOS_TASK_QUEUE: `tls-refused-${randomUUID()}`,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.otherCa,
        TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
      });
      assert.equal(refused.code, 1, describeRun(refused));
      assert.match(
        refused.stderr,
        /cannot reach Temporal at .*\(mTLS, CA .*other-ca\.pem\).*TLS handshake failed/,
      );
    });

    void it('names a certificate file it cannot read, and a certificate without its key', async () => {
      const missing = await runLlmos(
        [
          'status',
          'any',
          ...keyedFlags(),
          '--tls-cert-path',
          path.join(folder, 'nope.pem'),
          '--tls-key-path',
          certs.clientKey,
        ],
        {},
      );
      assert.equal(missing.code, 1, describeRun(missing));
      assert.match(
        missing.stderr,
        /cannot read the client certificate \(--tls-cert-path, TEMPORAL_TLS_CLIENT_CERT_PATH\) at .*nope\.pem: no such file/,
      );

      const notPemFile = path.join(folder, 'not-a-certificate.txt');
      await writeFile(notPemFile, 'a certificate this is not\n');
      const notPem = await runLlmos(
        ['status', 'any', '--address', keyed.address, '--tls-ca-path', notPemFile],
        {},
      );
      assert.equal(notPem.code, 1, describeRun(notPem));
      assert.match(notPem.stderr, /the server CA certificate .* is not PEM/);

      const noKey = await runLlmos(
        ['status', 'any', ...keyedFlags(), '--tls-cert-path', certs.clientCert],
        {},
      );
      assert.equal(noKey.code, 1, describeRun(noKey));
      assert.match(noKey.stderr, /a client certificate for mTLS needs its key/);
    });
  },
);
