/**
 * `npm run build` (and `npm pack`, through `prepack`): compiles the library and the command to
 * dist/ with declarations, copies what the compiled code reads beside it (non-TypeScript files
 * of the source folders, and prompts/, config/ and examples/, which `projectRoot` finds in
 * dist/), bundles the compiled workflows for the worker (one bundle per `bundleVariants` entry,
 * in dist/workflow-bundles/), then checks that every package the compiled code imports is a
 * dependency: one only a developer has (a devDependency) would break every project that installs
 * llmos.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { projectRoot } from '../workers/project-root.js';
import {
  bundleVariants,
  bundleWorkflows,
  prebuiltBundleDirectory,
  prebuiltBundleFile,
} from '../workers/workflow-bundle.js';

const dist = path.join(projectRoot, 'dist');
const sourceFolders = ['api', 'common', 'activities', 'workflows', 'workers', 'client', 'fake-llm'];
/** Read at run time from `projectRoot`: the default prompts, settings and example data. */
const assetFolders = ['prompts', 'config', 'examples'];

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
  { cwd: projectRoot, stdio: 'inherit' },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

for (const folder of sourceFolders)
  for (const file of filesUnder(path.join(projectRoot, folder)))
    if (!file.endsWith('.ts')) cpSync(file, path.join(dist, path.relative(projectRoot, file)));
for (const folder of assetFolders)
  cpSync(path.join(projectRoot, folder), path.join(dist, folder), {
    recursive: true,
    // Example projects (examples/own-worker) are for reading, and install llmos themselves.
    filter: (source) => !existsSync(path.join(source, 'package.json')),
  });

// The module Temporal's OpenTelemetry plugin adds to a bundle (its `workflowModules`): a bundle
// made ahead of time has no plugin to add it.
const tracingInterceptors = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);
const bundles = prebuiltBundleDirectory(dist);
await mkdir(bundles, { recursive: true });
for (const variant of bundleVariants) {
  const bundle = await bundleWorkflows({
    workflowsPath: path.join(dist, 'workflows', 'index.js'),
    ...(variant.encrypted ? { failureConverterPath: path.join(dist, 'workers', 'encoded-failures.js') } : {}),
    ...(variant.traced ? { workflowInterceptorModules: [tracingInterceptors] } : {}),
  });
  await writeFile(prebuiltBundleFile(dist, variant), bundle.code);
}

const manifest = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
  name: string;
  dependencies: Record<string, string>;
};
const builtins = new Set(builtinModules);
const imported = new Map<string, string>();
// The workflow bundles are whole: what they hold was checked against the bundle's allow-list.
for (const file of filesUnder(dist).filter((name) => name.endsWith('.js') && !name.startsWith(bundles))) {
  const code = readFileSync(file, 'utf8');
  // `from '...'`, a bare `import '...'` and `import('...')`: every way compiled ESM names a module.
  for (const match of code.matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g)) {
    const specifier = match[1] ?? match[2];
    // Only what is shaped like a package name: the pattern also meets `import` inside strings.
    if (!specifier || !/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/[\w./-]*)?$/.test(specifier)) continue;
    const name = specifier.startsWith('@')
      ? specifier.split('/').slice(0, 2).join('/')
      : specifier.split('/')[0]!;
    if (!builtins.has(name)) imported.set(name, path.relative(projectRoot, file));
  }
}
const missing = [...imported].filter(
  ([name]) => name !== manifest.name && !Object.hasOwn(manifest.dependencies, name),
);
if (missing.length > 0) {
  console.error(
    `dist/ imports packages that are not dependencies:\n${missing.map(([name, file]) => `  ${name} (${file})`).join('\n')}`,
  );
  process.exit(1);
}
// On stderr: `npm pack --json` prints its report on stdout, after this script's output.
console.error(
  `built dist/: ${filesUnder(dist).length} files; it imports ${imported.size} packages, all dependencies`,
);
