import type { MonitorEvaluation, MonitorState, MonitorTransitions } from '../../common/monitors.js';

/**
 * Applies one evaluation to the monitors' state, in place, and says which monitors started and
 * stopped firing. While a monitor fires, each of its `switch_model` actions holds its alias on
 * the smaller model (set when none is in force, for the action's period, so a switch ends on
 * time even if it is still firing and is then made again), and its `scale_up` raises the flag,
 * which drops when none fires. Expired switches are dropped. Deterministic.
 */
export function applyEvaluation(state: MonitorState, evaluation: MonitorEvaluation): MonitorTransitions {
  const { at } = evaluation;
  const firingNow = new Set(evaluation.firing.map((monitor) => monitor.name));
  const started = [...firingNow].filter((name) => state.firing[name] === undefined);
  const resolved = Object.keys(state.firing).filter((name) => !firingNow.has(name));
  for (const name of resolved) delete state.firing[name];
  for (const [alias, override] of Object.entries(state.overrides))
    if (override.until <= at) delete state.overrides[alias];
  const scaling: string[] = [];
  for (const monitor of evaluation.firing) {
    state.firing[monitor.name] = { since: state.firing[monitor.name]?.since ?? at, value: monitor.value };
    for (const action of monitor.actions) {
      if (action.kind === 'scale_up') scaling.push(monitor.name);
      if (action.kind !== 'switch_model' || state.overrides[action.alias]) continue;
      state.overrides[action.alias] = {
        alias: action.alias,
        to: action.to,
        until: at + action.forMs,
        monitor: monitor.name,
        reason: `${monitor.name} at ${monitor.value}`,
      };
    }
  }
  state.scaleUp = scaling.length > 0 ? { since: state.scaleUp?.since ?? at, monitors: scaling } : null;
  return { started, resolved };
}

/** Ends a switch before its time (`llmos monitors revert`): false when the alias had none. */
export function revertOverride(state: MonitorState, alias: string): boolean {
  if (!state.overrides[alias]) return false;
  delete state.overrides[alias];
  return true;
}
