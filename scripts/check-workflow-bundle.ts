/**
 * Bundles the workflow code exactly as a worker does, and fails when it reaches what workflows
 * must not: a Node built-in (the bundler itself refuses those, even transitively, which tsc
 * cannot see) or any package outside the allow-list below, such as a provider SDK that does its
 * I/O through `fetch` and so bundles without complaint.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from '../workers/create-worker.js';

/** Packages that are deterministic and sandbox-safe. Admit a new one here deliberately. */
const allowedPackages = new Set([
  '@temporalio/common',
  '@temporalio/workflow',
  'long',
  'ms',
  'nexus-rpc',
  'zod',
]);

function bundledPackages(code: string): string[] {
  const names = [...code.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].map((match) => match[1]!);
  return [...new Set(names)].sort();
}

try {
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  const forbidden = bundledPackages(code).filter((name) => !allowedPackages.has(name));
  if (forbidden.length > 0) {
    console.error(`workflow bundle reaches packages workflows must not use: ${forbidden.join(', ')}`);
    process.exit(1);
  }
  console.log(`workflow bundle ok: ${(code.length / 1024).toFixed(0)} KiB from ${workflowsPath}`);
} catch (error) {
  console.error(`workflow bundle failed: ${(error as Error).message}`);
  process.exit(1);
}
