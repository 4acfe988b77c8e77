/**
 * How llmos reaches Temporal: one connection config for the worker, the CLI and the client
 * library, read by the SDK's own `@temporalio/envconfig` (the `TEMPORAL_*` environment variables
 * and the profiles of the `temporal` CLI's config file), with llmos's flags on top.
 */
import { readFileSync } from 'node:fs';
import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Connection } from '@temporalio/client';
import { loadClientConfigProfile, type ClientConfigProfile } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import { within } from './within.js';

/** What the CLI's flags set on top of the environment and the config file's profile. */
export interface TemporalConnectionFlags {
  /** A profile of the config file (`TEMPORAL_PROFILE`; `default` when unset). */
  profile?: string;
  address?: string;
  namespace?: string;
  /** An API key, sent as `Authorization: Bearer`; turns TLS on unless TLS is turned off. */
  apiKey?: string;
  /** TLS on (`true`) or off (`false`) whatever else says. */
  tls?: boolean;
  /** The CA that signed the server's certificate (PEM), instead of the system's roots. */
  tlsCaPath?: string;
  /** The name the server's certificate must carry, when it is not the address's host. */
  tlsServerName?: string;
  /** mTLS: this client's certificate and its key (PEM), both or neither. */
  tlsCertPath?: string;
  tlsKeyPath?: string;
  connectTimeoutMs?: number;
}

/** A PEM file the TLS settings name: read once, so a bad path fails before any connection. */
interface PemFile {
  /** What it is and which setting named it, for errors. */
  role: string;
  path?: string;
  data: Buffer;
}

/** Where and how to connect: what `connectTemporal*` use. Holds the API key: never log it whole (see `describeConnection`). */
export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  apiKey?: string;
  /** Unset: plain TCP. */
  tls?: { serverName?: string; serverCa?: PemFile; clientCert?: PemFile; clientKey?: PemFile };
  /** gRPC metadata for every request (`TEMPORAL_GRPC_META_*`, the profile's `grpc_meta`). */
  metadata: Record<string, string>;
  connectTimeoutMs: number;
}

const defaultConnectTimeoutMs = 10_000;

/** `source` (a path or inline PEM from envconfig) read now, or a clear error naming the setting. */
function readPem(
  role: string,
  source: { path: string } | { data: string | Uint8Array } | undefined,
): PemFile | undefined {
  if (source === undefined) return undefined;
  if ('data' in source) {
    const data = Buffer.from(source.data);
    if (!data.toString('utf8').includes('-----BEGIN '))
      throw new Error(`the ${role} given inline is not PEM (no "-----BEGIN" line)`);
    return { role, data };
  }
  let data: Buffer;
  try {
    data = readFileSync(source.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `cannot read the ${role} at ${source.path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  if (!data.toString('utf8').includes('-----BEGIN '))
    throw new Error(`the ${role} at ${source.path} is not PEM (no "-----BEGIN" line)`);
  return { role, path: source.path, data };
}

/**
 * The connection settings of `env` (the `TEMPORAL_*` variables, and the config file's profile:
 * `TEMPORAL_CONFIG_FILE`, or the `temporal` CLI's default under the user's config folder) with
 * `flags` on top. Every TLS file is read here.
 * @throws Error naming the setting when a profile is missing, the config file is malformed, a
 *   certificate or key cannot be read or is not PEM, or a client certificate comes without its key.
 */
export function temporalConnectionSettings(
  env: NodeJS.ProcessEnv = process.env,
  flags: TemporalConnectionFlags = {},
): TemporalConnectionSettings {
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({
      ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
      overrideEnvVars: Object.fromEntries(
        Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
    });
  } catch (error) {
    throw new Error(`Temporal connection config: ${(error as Error).message}`);
  }
  const fileTls = profile.tls;
  const apiKey = flags.apiKey ?? profile.apiKey;
  const tlsRequested =
    flags.tls ??
    (fileTls?.disabled === true
      ? false
      : fileTls !== undefined ||
        apiKey !== undefined ||
        [flags.tlsCaPath, flags.tlsServerName, flags.tlsCertPath, flags.tlsKeyPath].some(Boolean));
  const settings: TemporalConnectionSettings = {
    address: flags.address ?? profile.address ?? 'localhost:7233',
    namespace: flags.namespace ?? profile.namespace ?? 'default',
    ...(apiKey !== undefined ? { apiKey } : {}),
    metadata: profile.grpcMeta ?? {},
    connectTimeoutMs: flags.connectTimeoutMs ?? defaultConnectTimeoutMs,
  };
  if (!tlsRequested) return settings;
  const fromFlag = (path: string | undefined) => (path !== undefined ? { path } : undefined);
  const serverCa = readPem(
    'server CA certificate (--tls-ca-path, TEMPORAL_TLS_SERVER_CA_CERT_PATH)',
    fromFlag(flags.tlsCaPath) ?? fileTls?.serverCACert,
  );
  const clientCert = readPem(
    'client certificate (--tls-cert-path, TEMPORAL_TLS_CLIENT_CERT_PATH)',
    fromFlag(flags.tlsCertPath) ?? fileTls?.clientCert,
  );
  const clientKey = readPem(
    'client key (--tls-key-path, TEMPORAL_TLS_CLIENT_KEY_PATH)',
    fromFlag(flags.tlsKeyPath) ?? fileTls?.clientKey,
  );
  if ((clientCert === undefined) !== (clientKey === undefined))
    throw new Error(
      clientCert
        ? 'a client certificate for mTLS needs its key: --tls-key-path or TEMPORAL_TLS_CLIENT_KEY_PATH'
        : 'a client key for mTLS needs its certificate: --tls-cert-path or TEMPORAL_TLS_CLIENT_CERT_PATH',
    );
  const serverName = flags.tlsServerName ?? fileTls?.serverName;
  return {
    ...settings,
    tls: {
      ...(serverName !== undefined ? { serverName } : {}),
      ...(serverCa ? { serverCa } : {}),
      ...(clientCert && clientKey ? { clientCert, clientKey } : {}),
    },
  };
}

/** A dev server llmos started on this machine: plain TCP and no credentials, whatever the environment says. */
export function localServerConnection(address: string, namespace = 'default'): TemporalConnectionSettings {
  return { address, namespace, metadata: {}, connectTimeoutMs: defaultConnectTimeoutMs };
}

/** One line for logs: where, and how secured; an API key is never shown. */
export function describeConnection(settings: TemporalConnectionSettings): string {
  const { tls } = settings;
  const security = !tls
    ? 'plain TCP'
    : [
        tls.clientCert ? 'mTLS' : 'TLS',
        tls.serverCa?.path ? `CA ${tls.serverCa.path}` : tls.serverCa ? 'CA given inline' : 'system CAs',
        ...(tls.serverName ? [`server name ${tls.serverName}`] : []),
      ].join(', ');
  return `${settings.address}, namespace ${settings.namespace} (${security}${settings.apiKey ? ', API key' : ''})`;
}

/** The SDK's TLS options for `settings`. */
function sdkTls(settings: TemporalConnectionSettings) {
  const { tls } = settings;
  if (!tls) return undefined;
  return {
    ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
    ...(tls.serverCa ? { serverRootCACertificate: tls.serverCa.data } : {}),
    ...(tls.clientCert && tls.clientKey
      ? { clientCertPair: { crt: tls.clientCert.data, key: tls.clientKey.data } }
      : {}),
  };
}

/** The innermost message of an error and its causes: gRPC-js wraps the one that says what happened. */
function innermostMessage(error: unknown): string {
  let current: unknown = error;
  const messages: string[] = [];
  while (current instanceof Error) {
    messages.push(current.message);
    current = current.cause;
  }
  return messages.length > 1 ? `${messages[0]} (${messages.at(-1)})` : (messages[0] ?? String(error));
}

/** Host and port of `host:port` or `[ipv6]:port` (7233 when no port is given). */
function hostAndPort(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(address);
  return { host: match?.[1] ?? address, port: Number(match?.[2] ?? 7233) };
}

/**
 * Why a connection that failed without saying (gRPC-js only reports "failed to connect before
 * the deadline") failed: nothing listening, or the TLS handshake's own error, found by trying the
 * TCP connection and the handshake alone. Undefined when both succeed.
 */
async function probe(settings: TemporalConnectionSettings): Promise<string | undefined> {
  const { host, port } = hostAndPort(settings.address);
  const { tls } = settings;
  const options = {
    host,
    port,
    timeout: Math.min(settings.connectTimeoutMs, 5_000),
    ...(tls
      ? {
          ALPNProtocols: ['h2'],
          ...(tls.serverName ? { servername: tls.serverName } : isIP(host) ? {} : { servername: host }),
          ...(tls.serverCa ? { ca: tls.serverCa.data } : {}),
          ...(tls.clientCert && tls.clientKey ? { cert: tls.clientCert.data, key: tls.clientKey.data } : {}),
        }
      : {}),
  };
  return new Promise((resolve) => {
    const socket = tls ? tlsConnect(options) : netConnect(options);
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.once(tls ? 'secureConnect' : 'connect', () => done(undefined));
    socket.once('timeout', () => done(`no TCP connection within ${options.timeout} ms`));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(
        error.code === 'ECONNREFUSED' || error.code === 'ENOTFOUND' || error.code === 'EHOSTUNREACH'
          ? `nothing accepts connections there (${error.code})`
          : tls
            ? `the TLS handshake failed: ${error.message}`
            : error.message,
      ),
    );
  });
}

/**
 * What went wrong connecting, in words that name the cause: a refused handshake (and why), a
 * refused API key or client certificate, nothing listening, or TLS where the server expects none.
 */
export async function connectionFailure(
  settings: TemporalConnectionSettings,
  error: unknown,
): Promise<Error> {
  const where = `Temporal at ${describeConnection(settings)}`;
  const message = innermostMessage(error);
  if (/\b(401|403)\b|unauthenticated|permission denied/i.test(message))
    return new Error(
      `${where} refused the credentials${settings.apiKey ? ' (the API key)' : ''}: ${message}`,
    );
  const found = await probe(settings).catch(() => undefined);
  if (found !== undefined) return new Error(`cannot reach ${where}: ${found}`);
  const hint = settings.tls
    ? ''
    : '; it accepts connections but did not answer without TLS: if it expects TLS, pass --tls or set TEMPORAL_TLS=true';
  return new Error(`cannot reach ${where}: ${message}${hint}`);
}

/** A worker's connection (Rust core). @throws Error from `connectionFailure`. */
export async function connectTemporalNative(settings: TemporalConnectionSettings): Promise<NativeConnection> {
  const connecting = NativeConnection.connect({
    address: settings.address,
    tls: sdkTls(settings) ?? false,
    ...(settings.apiKey !== undefined ? { apiKey: settings.apiKey } : {}),
    metadata: settings.metadata,
  });
  try {
    return await within(settings.connectTimeoutMs, connecting);
  } catch (error) {
    // A connect that lost the race still closes once it settles.
    void connecting.then((late) => late.close()).catch(() => {});
    throw await connectionFailure(settings, error);
  }
}

/** A client's connection (gRPC-js), as the CLI and the client library use. @throws Error from `connectionFailure`. */
export async function connectTemporalClient(settings: TemporalConnectionSettings): Promise<Connection> {
  try {
    return await Connection.connect({
      address: settings.address,
      tls: sdkTls(settings) ?? false,
      ...(settings.apiKey !== undefined ? { apiKey: settings.apiKey } : {}),
      metadata: settings.metadata,
      connectTimeout: settings.connectTimeoutMs,
    });
  } catch (error) {
    throw await connectionFailure(settings, error);
  }
}
