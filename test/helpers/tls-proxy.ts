import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import type { TestCertificates } from './test-certificates.js';
import { freePort } from './free-port.js';

/** The nginx the TLS tests run: LLMOS_TEST_NGINX (set by `npm test` and CI), or none. */
export function testNginx(): string | undefined {
  return process.env.LLMOS_TEST_NGINX || undefined;
}

/** node:test options that skip a TLS test, saying why, when there is no nginx. */
export function requireNginx(): { skip: string | false } {
  return testNginx()
    ? { skip: false }
    : {
        skip: 'LLMOS_TEST_NGINX is not set: run scripts/nginx/install-nginx.sh (npm test does when nginx is installed)',
      };
}

/** A TLS-terminating gRPC proxy in front of a Temporal server. */
export interface TlsProxy {
  /** `127.0.0.1:<port>`: TLS, the server's certificate signed by the test CA. */
  readonly address: string;
  stop(): Promise<void>;
}

/**
 * nginx terminating TLS in front of the plain Temporal server at `upstream`, as a load balancer
 * in front of a cluster does: with `clientCerts`, only clients with a certificate the test CA
 * signed get through (mTLS); with `apiKey`, only requests that carry it as a bearer token.
 */
export async function startTlsProxy(options: {
  nginx: string;
  folder: string;
  upstream: string;
  certificates: TestCertificates;
  clientCerts?: boolean;
  apiKey?: string;
}): Promise<TlsProxy> {
  const { certificates: certs, folder } = options;
  const port = await freePort();
  await mkdir(path.join(folder, 'temp'), { recursive: true });
  const temp = (name: string) => `${name} ${path.join(folder, 'temp', name)};`;
  const config = `
worker_processes 1;
error_log stderr warn;
pid ${path.join(folder, 'nginx.pid')};
events { worker_connections 256; }
http {
  access_log off;
  ${temp('client_body_temp_path')}
  ${temp('proxy_temp_path')}
  ${temp('fastcgi_temp_path')}
  ${temp('uwsgi_temp_path')}
  ${temp('scgi_temp_path')}
  server {
    listen 127.0.0.1:${port} ssl http2;
    ssl_certificate ${certs.serverCert};
    ssl_certificate_key ${certs.serverKey};
    ${options.clientCerts ? `ssl_client_certificate ${certs.ca};\n    ssl_verify_client on;` : ''}
    # Workers long-poll for up to a minute; large payloads are allowed.
    client_max_body_size 0;
    client_body_timeout 300s;
    grpc_read_timeout 300s;
    grpc_send_timeout 300s;
    http2_max_requests 1000000;
    keepalive_timeout 300s;
    location / {
      ${options.apiKey ? `if ($http_authorization != "Bearer ${options.apiKey}") { return 401; }` : ''}
      grpc_pass grpc://${options.upstream};
    }
  }
}
`;
  const configFile = path.join(folder, 'nginx.conf');
  await writeFile(configFile, config);
  const child: ChildProcess = spawn(options.nginx, ['-p', folder, '-c', configFile, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Up when it accepts connections on its port.
  for (let waited = 0; ; waited += 50) {
    if (child.exitCode !== null) throw new Error(`nginx exited at start:\n${output}`);
    if (existsSync(path.join(folder, 'nginx.pid')) && (await accepts(port))) break;
    if (waited > 10_000) throw new Error(`nginx did not listen on ${port} within 10 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    address: `127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        await exited;
      }
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(port, '127.0.0.1');
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}
