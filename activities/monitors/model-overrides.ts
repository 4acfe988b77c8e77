import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { monitorStateQuery } from '../../common/messages.js';
import { activeOverrides, monitorStateWorkflowId, type ModelOverride } from '../../common/monitors.js';

/** How long a worker trusts the switches it read: a monitor's switch reaches new runs within this. */
const cacheMs = 10_000;
/** How long a run's start waits for the answer. */
const queryDeadlineMs = 2_000;

/** The switch in force for an alias, if any; `warn` hears why none could be read. */
export type ModelOverrideLookup = (
  alias: string,
  warn: (message: string) => void,
) => Promise<ModelOverride | undefined>;

/**
 * The aliases the monitors have switched to a smaller model, as a worker sees them: the monitor
 * state workflow's answer, read at most once per 10 s. No state workflow (monitors never ran) is
 * no switch; a state that cannot be read now is none either, with `warn` told: a run never fails
 * because the monitors are unwell.
 */
export function createModelOverrides(client: () => Promise<Client>): ModelOverrideLookup {
  let cached: { at: number; overrides: Promise<ModelOverride[]> } | undefined;
  const read = async (): Promise<ModelOverride[]> => {
    try {
      const temporal = await client();
      // A state whose worker is gone answers only when the server gives up: no run start waits that long.
      const state = await temporal.withDeadline(Date.now() + queryDeadlineMs, () =>
        temporal.workflow.getHandle(monitorStateWorkflowId).query(monitorStateQuery),
      );
      return activeOverrides(state, Date.now());
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return [];
      throw error;
    }
  };
  return async function overrideFor(alias, warn) {
    const now = Date.now();
    if (!cached || now - cached.at > cacheMs) cached = { at: now, overrides: read() };
    try {
      return (await cached.overrides).find(
        (override) => override.alias === alias && override.until > Date.now(),
      );
    } catch (error) {
      cached = undefined;
      warn(`the monitors' model switches could not be read, so none applies: ${(error as Error).message}`);
      return undefined;
    }
  };
}
