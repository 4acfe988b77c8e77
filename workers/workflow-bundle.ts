import { bundleWorkflowCode, type BundlerPlugin } from '@temporalio/worker';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isBuilt, modulePath, projectRoot } from './project-root.js';

/** The module that exports every llmos workflow: a worker's `workflowsPath`, or re-exported from a project's own. */
export const workflowsPath = modulePath('workflows', 'index');

/** Where `npm run check:workflow-bundle` stores the bundle it checked, and the tests read it. */
export const workflowBundleCacheDirectory = path.join(tmpdir(), 'llmos-workflow-bundles');

/** Packages that are deterministic and sandbox-safe. Admit a new one here deliberately. */
const allowedPackages = new Set([
  '@temporalio/common',
  '@temporalio/workflow',
  // Temporal's own: its workflow side is the stream's log and handlers, nothing else.
  '@temporalio/workflow-streams',
  // With tracing on: Temporal's OpenTelemetry interceptors and the parts of the OpenTelemetry
  // SDK they run inside the workflow sandbox (spans leave through a sink, never by I/O).
  '@opentelemetry/api',
  '@opentelemetry/core',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/semantic-conventions',
  '@temporalio/interceptors-opentelemetry',
  '@temporalio/plugin',
  'long',
  'ms',
  'nexus-rpc',
  'zod',
  // llmos's own workflows, where a project installed the package.
  'llmos',
]);

export interface WorkflowBundle {
  code: string;
}

/**
 * The build id a worker records in each workflow and activity task event it handles: the project
 * and a short hash of its workflow bundle, which tells one build of the code from another as
 * Temporal's default does (`@temporalio/worker@<version>+<64 hex digits>`), in 66 fewer bytes on
 * three events of every agent step.
 */
export function workerBuildId(bundle: WorkflowBundle): string {
  return `llmos+${createHash('sha256').update(bundle.code).digest('hex').slice(0, 16)}`;
}

function bundledPackages(code: string): string[] {
  const names = [...code.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].map((match) => match[1]!);
  return [...new Set(names)].sort();
}

/**
 * Bundles the workflow code exactly as a worker does, and fails when it reaches what workflows
 * must not: a Node built-in (the bundler itself refuses those, even transitively, which tsc
 * cannot see) or any package outside the allow-list, such as a provider SDK that does its I/O
 * through `fetch` and so bundles without complaint. `failureConverterPath`: the failure converter
 * the workflows use (`encodedFailuresPath` when payloads are encrypted); `plugins`: those that add
 * workflow interceptors (`tracingPlugins`).
 */
export async function bundleWorkflows(
  options: {
    failureConverterPath?: string | undefined;
    plugins?: BundlerPlugin[];
    /** Another build of the workflows (the package build bundles its compiled dist/). */
    workflowsPath?: string;
    /** Interceptor modules the plugins would add, for a bundle built without them (ahead of time). */
    workflowInterceptorModules?: string[];
  } = {},
): Promise<WorkflowBundle> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: options.workflowsPath ?? workflowsPath,
    ...(options.failureConverterPath ? { failureConverterPath: options.failureConverterPath } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    ...(options.workflowInterceptorModules
      ? { workflowInterceptorModules: options.workflowInterceptorModules }
      : {}),
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  const forbidden = bundledPackages(code).filter((name) => !allowedPackages.has(name));
  if (forbidden.length > 0) {
    throw new Error(`the workflow bundle reaches packages workflows must not use: ${forbidden.join(', ')}`);
  }
  return { code };
}

async function sourceFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/**
 * Where the bundle of today's workflows/ and common/ sources, with today's installed packages
 * (the lock file), is cached in `cacheDirectory`.
 */
async function bundleCacheFile(cacheDirectory: string): Promise<string> {
  const hash = createHash('sha256');
  for (const directory of ['workflows', 'common']) {
    for (const file of await sourceFiles(path.join(projectRoot, directory)))
      hash.update(file).update(await readFile(file));
  }
  hash.update(await readFile(path.join(projectRoot, 'package-lock.json')).catch(() => ''));
  return path.join(cacheDirectory, `${hash.digest('hex').slice(0, 16)}.js`);
}

/** Stores a bundle for `cachedWorkflowBundle` to find, written aside and renamed so no reader sees half a file. */
export async function storeWorkflowBundle(cacheDirectory: string, bundle: WorkflowBundle): Promise<void> {
  const cacheFile = await bundleCacheFile(cacheDirectory);
  await mkdir(cacheDirectory, { recursive: true });
  const partial = `${cacheFile}.${process.pid}.partial`;
  await writeFile(partial, bundle.code);
  await rename(partial, cacheFile);
}

/** The checked bundle of today's sources from the cache, built and stored on a miss. */
export async function cachedWorkflowBundle(cacheDirectory: string): Promise<WorkflowBundle> {
  try {
    return { code: await readFile(await bundleCacheFile(cacheDirectory), 'utf8') };
  } catch {
    const bundle = await bundleWorkflows();
    await storeWorkflowBundle(cacheDirectory, bundle);
    return bundle;
  }
}

/**
 * What a worker's workflow bundle is built with besides the workflows: the failure converter of
 * encrypted payloads (`encodedFailuresPath`) and Temporal's tracing interceptors.
 */
export interface BundleVariant {
  encrypted: boolean;
  traced: boolean;
}

export const bundleVariants: readonly BundleVariant[] = [false, true].flatMap((encrypted) =>
  [false, true].map((traced) => ({ encrypted, traced })),
);

/** The folder of the bundles the package build makes, under `root` (the built package's dist/). */
export function prebuiltBundleDirectory(root: string): string {
  return path.join(root, 'workflow-bundles');
}

/** Where the package build puts the bundle of `variant`, under `root`. */
export function prebuiltBundleFile(root: string, variant: BundleVariant): string {
  const name = `${variant.encrypted ? 'encrypted' : 'plain'}${variant.traced ? '-traced' : ''}.js`;
  return path.join(prebuiltBundleDirectory(root), name);
}

/**
 * The bundle `npm run build` made of the built package's workflows, for a worker of the built
 * package: it starts without webpack's seconds and hundreds of megabytes (the SDK's production
 * guidance). Undefined when running from the sources, whose bundle is built at start: a bundle
 * made ahead of time could be older than them.
 */
export async function prebuiltWorkflowBundle(variant: BundleVariant): Promise<WorkflowBundle | undefined> {
  if (!isBuilt) return undefined;
  try {
    return { code: await readFile(prebuiltBundleFile(projectRoot, variant), 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
