/** The guards' scanners, run here by `llmos guard scan` and `llmos pii find` without a worker. */
export { findPii } from '../../activities/guards/pii/find-pii.js';
export { scanInjection } from '../../activities/guards/injection/scan-injection.js';
