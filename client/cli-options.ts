import { InvalidArgumentError, type Command } from 'commander';
import { parseDurationMs } from '../common/durations.js';
import type { TemporalConnectionFlags } from '../workers/temporal-connection.js';

export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new InvalidArgumentError(`"${value}" is not a positive whole number.`);
  return number;
}

/** A TCP port to listen on; 0 asks the system for any free one. */
export function portNumber(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65_535)
    throw new InvalidArgumentError(`"${value}" is not a port (0 to 65535).`);
  return number;
}

export function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new InvalidArgumentError(`"${value}" is not a positive number.`);
  return number;
}

export function duration(value: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined) throw new InvalidArgumentError(`"${value}" is not a duration such as 90s, 5m or 1h.`);
  return ms;
}

export function isoTime(value: string): Date {
  const time = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time.getTime()))
    throw new InvalidArgumentError(`"${value}" is not an ISO 8601 time such as 2026-12-01T00:00:00Z.`);
  return time;
}

export function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Cap flags shared by `agent` and `raise`, as a partial caps object. */
export interface CapFlags {
  maxIterations?: number;
  maxTokens?: number;
  maxCost?: number;
  deadline?: number;
}

export function capsFromFlags(flags: CapFlags) {
  return {
    ...(flags.maxIterations !== undefined ? { maxIterations: flags.maxIterations } : {}),
    ...(flags.maxTokens !== undefined ? { maxTotalTokens: flags.maxTokens } : {}),
    ...(flags.maxCost !== undefined ? { maxCostUsd: flags.maxCost } : {}),
    ...(flags.deadline !== undefined ? { maxWallTimeMs: flags.deadline } : {}),
  };
}

/**
 * Adds --max-iterations, --max-tokens, --max-cost and --deadline (read back with
 * `capsFromFlags`). `scope` ends each description, e.g. " per run".
 */
export function addCapOptions(command: Command, scope = '', iterationsNote = ''): Command {
  return command
    .option('--max-iterations <n>', `cap on model calls${iterationsNote}${scope}`, positiveInteger)
    .option('--max-tokens <n>', `cap on input + output tokens${scope}`, positiveInteger)
    .option('--max-cost <usd>', `cap on spend in US dollars${scope}`, positiveNumber)
    .option('--deadline <duration>', `cap on wall time${scope}, e.g. 90s or 5m`, duration);
}

/** What `--model` takes, for every command that runs a model. */
export const modelOptionDescription =
  'e.g. openai:gpt-4o-mini, anthropic:claude-haiku-4-5, compatible:llama3.1, scripted:demo-agent, an alias (fast, smart) of the model catalog, or auto';

/**
 * An alias must be one of the model catalog's (LLMOS_MODELS_FILE, else the built-in one): the
 * worker resolves it with its own catalog, normally the same file, and a typo should not start a
 * run. `auto` needs the catalog's routing section.
 */
export async function checkModelAlias(model: string): Promise<void> {
  const { ModelRefSchema } = await import('../common/model-ref.js');
  if (ModelRefSchema.safeParse(model).success) return;
  const [{ workerModelCatalog }, { resolveChain }] = await Promise.all([
    import('../workers/local-tools/model-catalog.js'),
    import('../common/model-catalog.js'),
  ]);
  const catalog = workerModelCatalog();
  if (model === 'auto') {
    if (!catalog.routing) throw new Error('--model auto needs a routing section in the model catalog');
    return;
  }
  resolveChain(catalog, model);
}

/** The tenant's flags, read back with `tenantFromFlags`: its guard profile and its shared budget. */
export interface TenantFlags {
  tenant?: string;
  budget?: string;
  budgetLimit?: number;
  budgetDowngrade?: string;
}

/**
 * Adds --tenant (whose guard profile the run's texts go through) and --budget, --budget-limit and
 * --budget-downgrade: a spend limit shared by every run of a scope.
 */
export function addTenantOptions(command: Command): Command {
  return command
    .option('--tenant <name>', "whose guard profile (config/guards.yaml) the run's texts go through")
    .option('--budget <scope>', 'a spend limit shared with every run of this scope, e.g. tenant:acme')
    .option('--budget-limit <usd>', 'the shared budget in US dollars a day (with --budget)', positiveNumber)
    .option('--budget-downgrade <provider:model>', 'the cheaper model past 80% of the shared budget');
}

/**
 * The request's `tenant` and `budget` from the flags (no budget when --budget is not given; both
 * halves or neither). A plain Error: commander prints an InvalidArgumentError only while it
 * parses, and one thrown in an action would end the command without a word.
 */
export function tenantFromFlags(flags: TenantFlags) {
  if ((flags.budget === undefined) !== (flags.budgetLimit === undefined))
    throw new Error('--budget <scope> and --budget-limit <usd> go together');
  const tenant = flags.tenant !== undefined ? { tenant: flags.tenant } : {};
  if (flags.budget === undefined) return tenant;
  return {
    ...tenant,
    budget: {
      scope: flags.budget,
      limitUsd: flags.budgetLimit!,
      ...(flags.budgetDowngrade !== undefined ? { downgradeTo: flags.budgetDowngrade } : {}),
    },
  };
}

/** What `addConnectionOptions` gives a command's action: the flags, the timeout as given. */
export type ConnectionOptionValues = Omit<TemporalConnectionFlags, 'connectTimeoutMs'> & {
  connectTimeout?: number;
};

const connectionKeys = [
  'address',
  'namespace',
  'profile',
  'apiKey',
  'tls',
  'tlsCaPath',
  'tlsServerName',
  'tlsCertPath',
  'tlsKeyPath',
] as const;

/**
 * Adds the Temporal connection flags, named as the `temporal` CLI names them. Each goes on top of
 * its `TEMPORAL_*` variable and of the profile in the `temporal` CLI's config file.
 */
export function addConnectionOptions(command: Command): Command {
  return command
    .option('--address <host:port>', 'Temporal server (TEMPORAL_ADDRESS; default localhost:7233)')
    .option('--namespace <name>', 'Temporal namespace (TEMPORAL_NAMESPACE; default "default")')
    .option(
      '--profile <name>',
      'profile of the temporal CLI config file (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE)',
    )
    .option(
      '--api-key <key>',
      'API key, sent as a bearer token; turns TLS on (prefer TEMPORAL_API_KEY: flags show in ps)',
    )
    .option('--tls', 'connect with TLS (TEMPORAL_TLS=true)')
    .option('--no-tls', 'connect without TLS, even with an API key (TEMPORAL_TLS=false)')
    .option(
      '--tls-ca-path <file>',
      "CA certificate (PEM) for the server's certificate (TEMPORAL_TLS_SERVER_CA_CERT_PATH)",
    )
    .option('--tls-server-name <name>', "name the server's certificate must carry (TEMPORAL_TLS_SERVER_NAME)")
    .option('--tls-cert-path <file>', 'client certificate (PEM) for mTLS (TEMPORAL_TLS_CLIENT_CERT_PATH)')
    .option('--tls-key-path <file>', 'client key (PEM) for mTLS (TEMPORAL_TLS_CLIENT_KEY_PATH)')
    .option(
      '--connect-timeout <duration>',
      'how long to wait for the server, e.g. 10s (default 10s)',
      duration,
    );
}

/** The connection flags among a command's values, for `connectClient` or a worker's config. */
export function connectionFlags(values: ConnectionOptionValues): TemporalConnectionFlags {
  const given: Record<string, unknown> = {};
  for (const key of connectionKeys) if (values[key] !== undefined) given[key] = values[key];
  if (values.connectTimeout !== undefined) given.connectTimeoutMs = values.connectTimeout;
  return given;
}
