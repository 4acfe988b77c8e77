import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder llmos is installed in: its prompts/, workflows/, examples/ and bin/ are found from here. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
