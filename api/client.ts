/**
 * `llmos/client`: start, follow, steer and query runs from any process, with the client the
 * `llmos` command uses. `connectClient()` reads the same `TEMPORAL_*` settings as the command.
 */
export * from '../client/llmos-client.js';
export {
  decideToolCall,
  listPendingApprovals,
  NoSuchApprovalError,
  type InboxEntry,
} from '../client/approvals.js';
export { recordFeedback } from '../client/feedback.js';
