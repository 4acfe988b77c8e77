import path from 'node:path';
import { projectRoot, stateRoot } from '../workers/project-root.js';

export { projectRoot };
/** Git-ignored: tools built on this machine (the Temporal CLI). */
export const toolsDirectory = path.join(projectRoot, '.tools');
/** Local state (the dev server's database, its log and pid): see `stateRoot`. */
export const stateDirectory = stateRoot;
export const llmosBin = path.join(projectRoot, 'bin', 'llmos.js');
