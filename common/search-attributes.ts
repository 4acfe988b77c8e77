import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes llmos sets on its runs, to filter by kind, model, outcome and spend. */
export const LlmosKind = defineSearchAttributeKey('LlmosKind', SearchAttributeType.KEYWORD);
export const LlmosModel = defineSearchAttributeKey('LlmosModel', SearchAttributeType.KEYWORD);
export const LlmosStopReason = defineSearchAttributeKey('LlmosStopReason', SearchAttributeType.KEYWORD);
export const LlmosCostUsd = defineSearchAttributeKey('LlmosCostUsd', SearchAttributeType.DOUBLE);
export const LlmosTotalTokens = defineSearchAttributeKey('LlmosTotalTokens', SearchAttributeType.INT);
/** The ids of a run's tool calls waiting for a person: `llmos inbox` finds runs by it. */
export const LlmosPendingApprovals = defineSearchAttributeKey(
  'LlmosPendingApprovals',
  SearchAttributeType.KEYWORD_LIST,
);

/** The priority of a customer-service session a person has taken over: `llmos cs handoffs` finds them by it. */
export const LlmosHandoff = defineSearchAttributeKey('LlmosHandoff', SearchAttributeType.KEYWORD);

/** The score of a piece of feedback (`runFeedbackWorkflow`): `LlmosFeedbackScore <= 2` finds the bad ones. */
export const LlmosFeedbackScore = defineSearchAttributeKey('LlmosFeedbackScore', SearchAttributeType.DOUBLE);

/** The search attributes runs set: a namespace must have them all for llmos to set any on its runs. */
export const runSearchAttributeKeys = [
  LlmosKind,
  LlmosModel,
  LlmosStopReason,
  LlmosCostUsd,
  LlmosTotalTokens,
  LlmosPendingApprovals,
  LlmosHandoff,
];

/** Every llmos search attribute: what `llmos server` and the deployment's setup register. */
export const llmosSearchAttributeKeys = [...runSearchAttributeKeys, LlmosFeedbackScore];
