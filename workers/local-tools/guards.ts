/** The guards' scanners, run here by `llmos pii find` (and the evaluation scripts) without a worker. */
export { findPii } from '../../activities/guards/pii/find-pii.js';
