import path from 'node:path';
import { projectRoot } from '../workers/project-root.js';

export { projectRoot };
/** Git-ignored: tools built on this machine (the Temporal CLI). */
export const toolsDirectory = path.join(projectRoot, '.tools');
/** Git-ignored: local state (the dev server's database, its log and pid). */
export const stateDirectory = path.join(projectRoot, '.llmos');
export const llmosBin = path.join(projectRoot, 'bin', 'llmos.js');
