import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM files of a throwaway PKI: paths in the folder it was made in. */
export interface TestCertificates {
  /** The CA that signed the server's and the client's certificates. */
  ca: string;
  /** A CA that signed neither: a client that trusts only it must refuse the server. */
  otherCa: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    throw new Error(`openssl ${args[0]} failed: ${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
}

async function makeCa(name: string, cwd: string): Promise<void> {
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
    ],
    cwd,
  );
}

/** A key and a certificate for `name`, signed by the CA `ca`, with `extensions` (openssl syntax). */
async function makeSigned(name: string, ca: string, extensions: string, cwd: string): Promise<void> {
  await writeFile(path.join(cwd, `${name}.ext`), extensions);
  await openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    ],
    cwd,
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ],
    cwd,
  );
}

/**
 * A CA, a server certificate for localhost and 127.0.0.1, a client certificate for mTLS, and an
 * unrelated CA, made with the `openssl` command in `folder`.
 */
export async function makeTestCertificates(folder: string): Promise<TestCertificates> {
  await makeCa('test-ca', folder);
  await makeCa('other-ca', folder);
  await makeSigned(
    'server',
    'test-ca',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
    folder,
  );
  await makeSigned('client', 'test-ca', 'extendedKeyUsage=clientAuth\n', folder);
  const at = (file: string) => path.join(folder, file);
  return {
    ca: at('test-ca.pem'),
    otherCa: at('other-ca.pem'),
    serverCert: at('server.pem'),
    serverKey: at('server.key'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
  };
}
