import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes llmos sets on its runs, to filter by kind, model, outcome and spend. */
export const LlmosKind = defineSearchAttributeKey('LlmosKind', SearchAttributeType.KEYWORD);
export const LlmosModel = defineSearchAttributeKey('LlmosModel', SearchAttributeType.KEYWORD);
export const LlmosStopReason = defineSearchAttributeKey('LlmosStopReason', SearchAttributeType.KEYWORD);
export const LlmosCostUsd = defineSearchAttributeKey('LlmosCostUsd', SearchAttributeType.DOUBLE);
export const LlmosTotalTokens = defineSearchAttributeKey('LlmosTotalTokens', SearchAttributeType.INT);

/** Name and server-side type of each, as `temporal server start-dev --search-attribute` wants them. */
export const llmosSearchAttributes = [
  { name: LlmosKind.name, type: 'Keyword' },
  { name: LlmosModel.name, type: 'Keyword' },
  { name: LlmosStopReason.name, type: 'Keyword' },
  { name: LlmosCostUsd.name, type: 'Double' },
  { name: LlmosTotalTokens.name, type: 'Int' },
] as const;
