/** The documents an analysis would read, listed here so `llmos analyze` reports a missing path before it starts a run. */
export { listDocuments } from '../../activities/analysis/ingest.js';
