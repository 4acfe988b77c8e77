import type { JobKind } from '../../common/job-kinds.js';
import { upsertSearchAttributes, type ChildWorkflowOptions } from '@temporalio/workflow';
import type { RunTotals } from '../../common/run-contract.js';
import {
  LlmosCostUsd,
  LlmosKind,
  LlmosModel,
  LlmosStopReason,
  LlmosTotalTokens,
} from '../../common/search-attributes.js';

/**
 * Keeps a run's spend (and, once it has one, its stop reason) in its search attributes. Only
 * where `enabled`: upserting an attribute the namespace lacks fails every workflow task.
 */
export function recordRunOutcome(enabled: boolean, totals: RunTotals, stopReason?: string): void {
  if (!enabled) return;
  upsertSearchAttributes([
    ...(stopReason !== undefined ? [{ key: LlmosStopReason, value: stopReason }] : []),
    { key: LlmosCostUsd, value: totals.costUsd },
    { key: LlmosTotalTokens, value: totals.totalTokens },
  ]);
}

/** A child run's kind and model, for the UI, where the namespace has the attributes. */
export function childRunAttributes(
  enabled: boolean,
  kind: JobKind,
  model: string,
): Pick<ChildWorkflowOptions, 'typedSearchAttributes'> {
  return enabled
    ? {
        typedSearchAttributes: [
          { key: LlmosKind, value: kind },
          { key: LlmosModel, value: model },
        ],
      }
    : {};
}
