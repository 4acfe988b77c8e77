/**
 * Monitors that act (`config/monitors.yaml`): what each watches over which window, the threshold,
 * and what it does while it fires. A Temporal Schedule runs `monitorWorkflow` once per interval
 * with the parsed file; the state that outlives one evaluation (which monitors fire, the models
 * switched, the scale-up flag) lives in one entity workflow, `monitorStateWorkflow`.
 */
import { z } from 'zod';
import { DurationMsSchema } from './durations.js';
import { ModelRefSchema } from './model-ref.js';

/**
 * What a monitor watches, over the runs that started in its window:
 * - `response_quality`: the mean feedback score (1 to 5, `llmos feedback`);
 * - `token_cost_per_hour`: what the runs spent, in USD per hour of the window;
 * - `p95_latency_ms`: the 95th percentile of closed runs' start-to-close time;
 * - `error_rate`: the share of closed runs that failed, were terminated, timed out or were cancelled.
 */
export const MonitorMetricSchema = z.enum([
  'response_quality',
  'token_cost_per_hour',
  'p95_latency_ms',
  'error_rate',
]);
export type MonitorMetric = z.infer<typeof MonitorMetricSchema>;

const AlertSchema = z.object({ webhook: z.url().optional() }).strict();
const SwitchModelSchema = z
  .object({
    /** The catalog alias whose runs move (e.g. `default`). */
    alias: z.string().min(1),
    /** The smaller model they take instead, `provider:model`. */
    to: z
      .string()
      .refine((model) => ModelRefSchema.safeParse(model).success, 'a model is named provider:model'),
    /** How long the switch holds once made (a monitor still firing then makes it again). */
    for: DurationMsSchema,
  })
  .strict();

/** What a firing monitor does: `alert`, `scale_up`, `{ alert: { webhook } }` or `{ switch_model: {...} }`. */
export const MonitorActionSchema = z
  .union([
    z.literal('alert'),
    z.literal('scale_up'),
    z.object({ alert: AlertSchema }).strict(),
    z.object({ switch_model: SwitchModelSchema }).strict(),
  ])
  .transform((action): MonitorAction => {
    if (action === 'alert') return { kind: 'alert' };
    if (action === 'scale_up') return { kind: 'scale_up' };
    if ('alert' in action)
      return { kind: 'alert', ...(action.alert.webhook ? { webhook: action.alert.webhook } : {}) };
    const { alias, to, for: forMs } = action.switch_model;
    return { kind: 'switch_model', alias, to, forMs };
  });
export type MonitorAction =
  | { kind: 'alert'; webhook?: string }
  | { kind: 'scale_up' }
  | { kind: 'switch_model'; alias: string; to: string; forMs: number };

export const MonitorSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'a monitor name is lower-case letters, digits, _ . or -'),
    metric: MonitorMetricSchema,
    /** Fires when the value is below this (give `below` or `above`, not both). */
    below: z.number().optional(),
    above: z.number().optional(),
    /** The runs it looks at: those that started this long ago or later. */
    window: DurationMsSchema.default(3_600_000),
    /** Fewer samples (runs, or scores for `response_quality`) than this and it does not judge. */
    min_samples: z.number().int().positive().default(1),
    actions: z.array(MonitorActionSchema).min(1, 'a monitor needs at least one action'),
  })
  .strict()
  .refine((monitor) => (monitor.below === undefined) !== (monitor.above === undefined), {
    message: 'give a threshold: `below` or `above`, one of them',
  });
export type Monitor = z.infer<typeof MonitorSchema>;

export const MonitorsConfigSchema = z
  .object({
    /** How often the Schedule evaluates the monitors. */
    interval: DurationMsSchema.default(300_000),
    /** Where `alert` posts unless the action names its own webhook. */
    webhook: z.url().optional(),
    /** Only the runs of this task queue (one deployment's), when set. */
    task_queue: z
      .string()
      .regex(/^[\w.:@/-]+$/, 'a task queue name is letters, digits, _ . : @ / -')
      .optional(),
    monitors: z.array(MonitorSchema).min(1, 'name at least one monitor'),
  })
  .strict()
  .superRefine((config, context) => {
    const names = new Set<string>();
    config.monitors.forEach((monitor, index) => {
      if (names.has(monitor.name))
        context.addIssue({
          code: 'custom',
          path: ['monitors', index, 'name'],
          message: `"${monitor.name}" is named twice`,
        });
      names.add(monitor.name);
      monitor.actions.forEach((action, at) => {
        if (action.kind === 'alert' && !action.webhook && !config.webhook)
          context.addIssue({
            code: 'custom',
            path: ['monitors', index, 'actions', at],
            message: 'an alert needs a webhook: set `webhook` at the top or on the action',
          });
      });
    });
  });
export type MonitorsConfig = z.infer<typeof MonitorsConfigSchema>;

/** A monitor's value over its window, and how many samples it rests on (null: none to judge). */
export interface MonitorReading {
  name: string;
  metric: MonitorMetric;
  value: number | null;
  samples: number;
}

/** Whether `reading` crosses `monitor`'s threshold on enough samples. Deterministic. */
export function isFiring(monitor: Monitor, reading: MonitorReading): boolean {
  if (reading.value === null || reading.samples < monitor.min_samples) return false;
  return monitor.below !== undefined ? reading.value < monitor.below : reading.value > monitor.above!;
}

/** A catalog alias switched to another model until a time, by a monitor. */
export interface ModelOverride {
  alias: string;
  to: string;
  /** Epoch milliseconds. */
  until: number;
  monitor: string;
  reason: string;
}

/** What outlives one evaluation: the monitors firing (since when), the switched aliases, the scale-up flag. */
export interface MonitorState {
  firing: Record<string, { since: number; value: number }>;
  overrides: Record<string, ModelOverride>;
  /** Raised while a monitor with `scale_up` fires: scaling tooling reads it (`llmos monitors status --json`, the gauge). */
  scaleUp: { since: number; monitors: string[] } | null;
}

/** One evaluation's verdicts, as the monitor workflow hands them to the state. */
export interface MonitorEvaluation {
  at: number;
  /** The monitors firing now, their values and actions. */
  firing: { name: string; value: number; actions: MonitorAction[] }[];
}

/** What the state answers an evaluation: which monitors started or stopped firing. */
export interface MonitorTransitions {
  started: string[];
  resolved: string[];
}

/** The one monitor state workflow of a namespace. */
export const monitorStateWorkflowId = 'llmos-monitor-state';
export const monitorStateWorkflowType = 'monitorStateWorkflow';
/** The Schedule that evaluates the monitors. */
export const monitorScheduleId = 'llmos-monitors';

export const emptyMonitorState = (): MonitorState => ({ firing: {}, overrides: {}, scaleUp: null });

/** The overrides still in force at `now`. */
export function activeOverrides(state: Pick<MonitorState, 'overrides'>, now: number): ModelOverride[] {
  return Object.values(state.overrides).filter((override) => override.until > now);
}
