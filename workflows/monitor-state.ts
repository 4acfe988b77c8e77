import {
  allHandlersFinished,
  condition,
  continueAsNew,
  metricMeter,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  monitorStateQuery,
  recordMonitorEvaluationUpdate,
  revertModelOverrideUpdate,
} from '../common/messages.js';
import { emptyMonitorState, type MonitorState } from '../common/monitors.js';
import { applyEvaluation, revertOverride } from './monitors/monitor-book.js';

/** Updates handled before the history is handed to a fresh run (an evaluation every few minutes: weeks). */
const updatesPerRun = 500;

/**
 * The state of a namespace's monitors, one entity workflow (`llmos-monitor-state`) that lives as
 * long as they are evaluated: which monitors fire and since when, the aliases switched to a
 * smaller model and until when, and the scale-up flag. Each evaluation (`monitorWorkflow`, by
 * update-with-start) and each revert is an update, handled one at a time; `resolveModelChain`
 * reads the switches with the query. The scale-up flag is also the `llmos_scale_up_requested`
 * gauge, and each monitor's verdict `llmos_monitor_firing`, for tooling that reads Prometheus.
 * Hands its history over with continue-as-new every 500 updates.
 */
export async function monitorStateWorkflow(initial?: MonitorState): Promise<void> {
  const state: MonitorState = initial ?? emptyMonitorState();
  let updates = 0;
  setHandler(monitorStateQuery, () => state);
  setHandler(recordMonitorEvaluationUpdate, (evaluation) => {
    updates += 1;
    const transitions = applyEvaluation(state, evaluation);
    const firing = metricMeter.createGauge('llmos_monitor_firing', 'int', '1', 'Whether a monitor fires');
    for (const name of [...transitions.resolved, ...Object.keys(state.firing)])
      firing.set(state.firing[name] ? 1 : 0, { monitor: name });
    metricMeter
      .createGauge('llmos_scale_up_requested', 'int', '1', 'Whether a monitor asks for more workers')
      .set(state.scaleUp ? 1 : 0);
    return transitions;
  });
  setHandler(revertModelOverrideUpdate, (alias) => {
    updates += 1;
    return revertOverride(state, alias);
  });
  await condition(() => updates >= updatesPerRun || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof monitorStateWorkflow>(state);
}
