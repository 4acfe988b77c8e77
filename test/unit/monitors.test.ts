/** The monitors' file and their state: what the schema refuses, and how an evaluation moves the state. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeIssues } from '../../common/describe-issues.js';
import {
  emptyMonitorState,
  isFiring,
  MonitorsConfigSchema,
  type MonitorAction,
} from '../../common/monitors.js';
import { applyEvaluation, revertOverride } from '../../workflows/monitors/monitor-book.js';

const switchAction: MonitorAction = {
  kind: 'switch_model',
  alias: 'smart',
  to: 'openai:gpt-4o-mini',
  forMs: 60_000,
};

void describe('monitors', () => {
  void it('reads the file: durations, actions, defaults', () => {
    const config = MonitorsConfigSchema.parse({
      webhook: 'http://alerts.example/hook',
      monitors: [
        {
          name: 'cost',
          metric: 'token_cost_per_hour',
          above: 5,
          window: '2h',
          actions: [
            'alert',
            'scale_up',
            { switch_model: { alias: 'smart', to: 'openai:gpt-4o-mini', for: '1m' } },
          ],
        },
      ],
    });
    assert.equal(config.interval, 300_000);
    assert.equal(config.monitors[0]!.window, 7_200_000);
    assert.deepEqual(config.monitors[0]!.actions, [{ kind: 'alert' }, { kind: 'scale_up' }, switchAction]);
  });

  void it('names what is wrong with a file', () => {
    const parsed = MonitorsConfigSchema.safeParse({
      interval: 'often',
      monitors: [
        { name: 'a', metric: 'error_rate', above: 0.1, below: 0.5, actions: ['alert'] },
        {
          name: 'a',
          metric: 'mood',
          above: 1,
          actions: [{ switch_model: { alias: 'x', to: 'gpt', for: '1h' } }],
        },
      ],
    });
    assert.equal(parsed.success, false);
    const problems = describeIssues(parsed.error.issues).join('\n');
    assert.match(problems, /"often" is no duration/);
    assert.match(problems, /give a threshold: `below` or `above`, one of them/);
    assert.match(problems, /monitors\.1\.metric/);
    assert.match(problems, /a model is named provider:model/);
  });

  void it('fires past the threshold only on enough samples', () => {
    const [monitor] = MonitorsConfigSchema.parse({
      monitors: [{ name: 'q', metric: 'response_quality', below: 3, min_samples: 2, actions: ['scale_up'] }],
    }).monitors;
    const reading = { name: 'q', metric: 'response_quality' as const };
    assert.equal(isFiring(monitor!, { ...reading, value: 1, samples: 1 }), false);
    assert.equal(isFiring(monitor!, { ...reading, value: 1, samples: 2 }), true);
    assert.equal(isFiring(monitor!, { ...reading, value: 3, samples: 5 }), false);
    assert.equal(isFiring(monitor!, { ...reading, value: null, samples: 0 }), false);
  });

  void it('starts and resolves monitors, holds a switch for its period, and raises the flag while one fires', () => {
    const state = emptyMonitorState();
    const firing = { name: 'cost', value: 9, actions: [switchAction, { kind: 'scale_up' as const }] };
    assert.deepEqual(applyEvaluation(state, { at: 1_000, firing: [firing] }), {
      started: ['cost'],
      resolved: [],
    });
    assert.equal(state.overrides.smart?.until, 61_000);
    assert.deepEqual(state.scaleUp, { since: 1_000, monitors: ['cost'] });
    // Still firing: nothing starts, the switch keeps its end, the flag its start.
    assert.deepEqual(applyEvaluation(state, { at: 30_000, firing: [firing] }), { started: [], resolved: [] });
    assert.equal(state.overrides.smart?.until, 61_000);
    assert.equal(state.firing.cost?.since, 1_000);
    // Past its period the switch ends, and is made again while the monitor still fires.
    applyEvaluation(state, { at: 70_000, firing: [firing] });
    assert.equal(state.overrides.smart?.until, 130_000);
    assert.deepEqual(applyEvaluation(state, { at: 80_000, firing: [] }), { started: [], resolved: ['cost'] });
    assert.equal(state.scaleUp, null);
    assert.equal(revertOverride(state, 'smart'), true);
    assert.equal(revertOverride(state, 'smart'), false);
  });
});
