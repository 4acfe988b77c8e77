/**
 * How long an adapter waits for one model response when not told otherwise: ten minutes, the
 * SDKs' own default, stated here so that it does not change with an SDK upgrade. Passing it
 * explicitly also stops the Anthropic SDK from refusing large non-streaming requests up front.
 */
export const defaultModelTimeoutMs = 600_000;
