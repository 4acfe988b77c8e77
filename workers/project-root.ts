import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);

/**
 * Whether this is the built package (`dist/`, JavaScript, as a project that installed llmos runs
 * it) rather than the source tree run through tsx.
 */
export const isBuilt = here.endsWith('.js');

/**
 * The folder llmos's own files are found from: its prompts/, config/, examples/ and workflows/.
 * In the built package that is `dist/`, which holds copies of the first three.
 */
export const projectRoot = path.resolve(path.dirname(here), '..');

/**
 * Where llmos keeps its state unless told otherwise (blobs, caches, the audit trail): `.llmos`
 * in the source tree, or in the working folder of a project that installed the package (never
 * inside node_modules, which an install replaces).
 */
export const stateRoot = isBuilt ? path.join(process.cwd(), '.llmos') : path.join(projectRoot, '.llmos');

/** The file a module of llmos is at, by its path from the root without extension: `.ts` or `.js`. */
export function modulePath(...segments: string[]): string {
  return `${path.join(projectRoot, ...segments)}${isBuilt ? '.js' : '.ts'}`;
}

/** The folder of llmos's package.json: the source tree, or the installed package (dist/'s parent). */
export const packageRoot = isBuilt ? path.dirname(projectRoot) : projectRoot;

/** llmos's version, from its package.json: what it tells MCP servers and clients it is. */
export function llmosVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string })
    .version;
}
