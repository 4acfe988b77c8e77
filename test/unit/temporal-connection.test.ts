import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { describeConnection, temporalConnectionSettings } from '../../workers/temporal-connection.js';

const pem = (label: string) => `-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`;

void describe('temporalConnectionSettings', () => {
  let folder: string;
  let configFile: string;
  const file = (name: string) => path.join(folder, name);

  before(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'llmos-connection-'));
    await writeFile(file('ca.pem'), pem('CERTIFICATE'));
    await writeFile(file('client.pem'), pem('CERTIFICATE'));
    await writeFile(file('client.key'), pem('PRIVATE KEY'));
    await writeFile(file('notes.txt'), 'not a certificate\n');
    configFile = file('temporal.toml');
    await writeFile(
      configFile,
      [
        '[profile.default]',
        'address = "default.example:7233"',
        '[profile.cloud]',
        'address = "ns.acct.tmprl.cloud:7233"',
        'namespace = "ns.acct"',
        'api_key = "from-file"',
        '[profile.mtls]',
        'address = "temporal.internal:7233"',
        '[profile.mtls.tls]',
        `server_ca_cert_path = "${file('ca.pem')}"`,
        `client_cert_path = "${file('client.pem')}"`,
        `client_key_path = "${file('client.key')}"`,
        'server_name = "temporal"',
        '',
      ].join('\n'),
    );
  });
  after(() => rm(folder, { recursive: true, force: true }));

  void it('connects to a local server in plain TCP when nothing is set', () => {
    const settings = temporalConnectionSettings({});
    assert.deepEqual(settings, {
      address: 'localhost:7233',
      namespace: 'default',
      metadata: {},
      connectTimeoutMs: 10_000,
    });
    assert.equal(describeConnection(settings), 'localhost:7233, namespace default (plain TCP)');
  });

  void it('turns TLS on with an API key (system CAs), unless TLS is turned off', () => {
    const cloud = temporalConnectionSettings({
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'ns.acct',
      TEMPORAL_API_KEY: 'secret-key',
    });
    assert.deepEqual(cloud.tls, {});
    assert.equal(cloud.apiKey, 'secret-key');
    const described = describeConnection(cloud);
    assert.equal(described, 'ns.acct.tmprl.cloud:7233, namespace ns.acct (TLS, system CAs, API key)');
    assert.ok(!described.includes('secret-key'), 'the key is never shown');
    assert.equal(temporalConnectionSettings({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }).tls, undefined);
    assert.equal(temporalConnectionSettings({ TEMPORAL_API_KEY: 'k' }, { tls: false }).tls, undefined);
  });

  void it('reads a profile of the config file, variables over it and flags over both', () => {
    const env = { TEMPORAL_CONFIG_FILE: configFile };
    assert.equal(temporalConnectionSettings(env).address, 'default.example:7233');
    const cloud = temporalConnectionSettings({ ...env, TEMPORAL_PROFILE: 'cloud' });
    assert.equal(cloud.address, 'ns.acct.tmprl.cloud:7233');
    assert.equal(cloud.namespace, 'ns.acct');
    assert.equal(cloud.apiKey, 'from-file');
    assert.deepEqual(cloud.tls, {});
    const overridden = temporalConnectionSettings(
      { ...env, TEMPORAL_NAMESPACE: 'from-env', TEMPORAL_API_KEY: 'from-env' },
      { profile: 'cloud', apiKey: 'from-flag', address: 'other:7233' },
    );
    assert.equal(overridden.namespace, 'from-env');
    assert.equal(overridden.apiKey, 'from-flag');
    assert.equal(overridden.address, 'other:7233');
  });

  void it('reads the mTLS files of a profile once, and the flags in their place', () => {
    const settings = temporalConnectionSettings({ TEMPORAL_CONFIG_FILE: configFile }, { profile: 'mtls' });
    assert.equal(settings.tls?.serverName, 'temporal');
    assert.equal(settings.tls?.serverCa?.data.toString(), pem('CERTIFICATE'));
    assert.equal(settings.tls?.clientKey?.data.toString(), pem('PRIVATE KEY'));
    assert.match(describeConnection(settings), /\(mTLS, CA .*ca\.pem, server name temporal\)$/);
    const flagged = temporalConnectionSettings({}, { tlsCaPath: file('ca.pem') });
    assert.equal(flagged.tls?.serverCa?.path, file('ca.pem'));
    assert.equal(flagged.tls?.clientCert, undefined);
  });

  void it('names what is wrong: a missing profile, an unreadable or non-PEM file, a certificate without its key', () => {
    assert.throws(
      () => temporalConnectionSettings({ TEMPORAL_CONFIG_FILE: configFile }, { profile: 'nope' }),
      /Temporal connection config: Profile 'nope' not found/,
    );
    assert.throws(
      () => temporalConnectionSettings({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('missing.pem') }),
      /cannot read the server CA certificate \(--tls-ca-path, TEMPORAL_TLS_SERVER_CA_CERT_PATH\) at .*missing\.pem: no such file/,
    );
    assert.throws(
      () => temporalConnectionSettings({}, { tlsCaPath: file('notes.txt') }),
      /the server CA certificate .* at .*notes\.txt is not PEM/,
    );
    assert.throws(
      () => temporalConnectionSettings({ TEMPORAL_TLS_CLIENT_CERT_PATH: file('client.pem') }),
      /a client certificate for mTLS needs its key: --tls-key-path or TEMPORAL_TLS_CLIENT_KEY_PATH/,
    );
  });

  void it('sends the gRPC metadata the environment names', () => {
    assert.deepEqual(temporalConnectionSettings({ TEMPORAL_GRPC_META_X_TENANT: 'acme' }).metadata, {
      'x-tenant': 'acme',
    });
  });
});
