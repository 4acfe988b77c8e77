/**
 * Every query, update and signal llmos workflows answer, defined once and used by name: workflows set
 * their handlers, activities and the client call them. The strings are the wire names a running
 * workflow answers to; changing one strands the clients of runs already in flight.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AgentProgress } from './agent.js';
import type { PendingApproval, ToolCallDecisionRequest } from './approvals.js';
import type { AnalysisProgress, DocumentProgress } from './analysis.js';
import type { PsvProgress } from './psv.js';
import type {
  CloseSessionRequest,
  CustomerMessage,
  PersonReply,
  ReturnToAgentRequest,
  SessionState,
  SessionTurn,
  TurnReply,
} from './customer-service.js';
import type { CapsRaise, RunCaps } from './run-contract.js';
import type { MonitorEvaluation, MonitorState, MonitorTransitions } from './monitors.js';
import type {
  BudgetGrant,
  LedgerBatch,
  LedgerBatchResult,
  LedgerSnapshot,
  ReserveRequest,
  ReserveResult,
  SettleRequest,
} from './shared-budget.js';

/** Progress of an agent run; the argument is the trace index to return steps from (0 for all). */
export const agentProgressQuery = defineQuery<AgentProgress, [number]>('agentProgress');

/**
 * Raises some caps of an agent run. Rejected (by the validator, so nothing lands in history)
 * when it would lower a cap. A run waiting on an exhausted cap continues when the raise frees it.
 */
export const raiseCapsUpdate = defineUpdate<RunCaps, [CapsRaise]>('raiseCaps');

/** The tool calls of a run that wait for a person to approve or decline them. */
export const pendingApprovalsQuery = defineQuery<PendingApproval[]>('pendingApprovals');

/**
 * Lets a waiting tool call run. Rejected by the validator (nothing lands in history) when no call
 * of that id waits.
 */
export const approveToolCallUpdate = defineUpdate<void, [ToolCallDecisionRequest]>('approveToolCall');

/** Declines a waiting tool call: the model reads the reason instead of a result. Rejected like an approval. */
export const declineToolCallUpdate = defineUpdate<void, [ToolCallDecisionRequest]>('declineToolCall');

/** Progress of a Plan -> Solve -> Verify run: its phase, plan attempt and totals. */
export const psvProgressQuery = defineQuery<PsvProgress>('psvProgress');

/** An analysis run's documents and chunks done, tokens and cost so far; running documents answer `documentProgressQuery`. */
export const analysisProgressQuery = defineQuery<AnalysisProgress>('analysisProgress');

/** One document's chunks done, tokens and cost so far, while it runs inside an analysis. */
export const documentProgressQuery = defineQuery<DocumentProgress>('documentProgress');

/** Reserves a model call's worst-case cost against a shared budget; the ledger applies one at a time. */
export const reserveBudgetUpdate = defineUpdate<ReserveResult, [ReserveRequest]>('reserveBudget');

/** Replaces a reservation with what the call really cost. */
export const settleBudgetUpdate = defineUpdate<LedgerSnapshot, [SettleRequest]>('settleBudget');

/** A worker's waiting settlements, then reservations, applied in one go, in order. */
export const ledgerBatchUpdate = defineUpdate<LedgerBatchResult, [LedgerBatch]>('ledgerBatch');

/**
 * The ledger's answer to a reservation it queued: sent to the run that waits for it, which then
 * calls or stops without asking again. A run that gave up waiting releases it with a settle.
 */
export const budgetGrantSignal = defineSignal<[BudgetGrant]>('budgetGrant');

/**
 * More chunk lanes for a document of an analysis: lanes its corpus run freed (a document ended
 * and none is left to start), so the last documents do not run on a few lanes while the rest idle.
 */
export const moreChunkLanesSignal = defineSignal<[number]>('moreChunkLanes');

/** A shared budget's limit, spend in the current period and reservations in flight. */
export const budgetLedgerQuery = defineQuery<LedgerSnapshot>('budgetLedger');

/**
 * A customer's message to a session; returns the reply once the turn is done. Messages are
 * answered one at a time, in the order they were accepted. Rejected by the validator (nothing in
 * history) when the message is empty or too long, or the session is closed. The update's id is
 * the message's: a client that retries with the same id gets the same reply, not a second turn.
 */
export const sendMessageUpdate = defineUpdate<TurnReply, [CustomerMessage]>('sendMessage');

/** Closes a session once the turns under way are answered; rejected when it is closed already. */
export const closeSessionUpdate = defineUpdate<SessionState, [CloseSessionRequest]>('closeSession');

/**
 * A person's reply in a session handed to people: the customer reads it as the next turn.
 * Rejected by the validator (nothing in history) when no person has the session.
 */
export const replyAsPersonUpdate = defineUpdate<SessionTurn, [PersonReply]>('replyAsPerson');

/** Gives a handed-off session back to the agent, which answers the next message with all that was said. */
export const returnToAgentUpdate = defineUpdate<SessionState, [ReturnToAgentRequest]>('returnToAgent');

/** A session's memory, counts and totals. */
export const sessionStateQuery = defineQuery<SessionState>('sessionState');

/** Hands one evaluation of the monitors to their state; answers which monitors started and stopped firing. */
export const recordMonitorEvaluationUpdate = defineUpdate<MonitorTransitions, [MonitorEvaluation]>(
  'recordMonitorEvaluation',
);

/** Ends a monitor's model switch of an alias before its time; answers whether there was one. */
export const revertModelOverrideUpdate = defineUpdate<boolean, [string]>('revertModelOverride');

/** The monitors' state: which fire, the aliases switched, the scale-up flag. */
export const monitorStateQuery = defineQuery<MonitorState>('monitorState');
