import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AgentProgress } from '../common/agent.js';
import type { RunCaps, CapsRaise } from '../common/run-contract.js';
import type { PsvProgress } from '../common/psv.js';

/** Progress of an agent run; the argument is the trace index to return steps from (0 for all). */
export const agentProgressQuery = defineQuery<AgentProgress, [number]>('agentProgress');

/**
 * Raises some caps of an agent run. Rejected (by the validator, so nothing lands in history)
 * when it would lower a cap. A run waiting on an exhausted cap continues when the raise frees it.
 */
export const raiseCapsUpdate = defineUpdate<RunCaps, [CapsRaise]>('raiseCaps');

/** Progress of a Plan -> Solve -> Verify run: its phase, plan attempt and totals. */
export const psvProgressQuery = defineQuery<PsvProgress>('psvProgress');
