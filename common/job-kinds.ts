/**
 * The jobs llmos runs, by the one name each goes by everywhere: file names, the `LlmosKind`
 * search attribute, default workflow ids (`<kind>-<uuid>`) and the CLI (where the analysis is
 * started with the verb, `llmos analyze`, and knowledge bases are `llmos kb`).
 */
export const jobKinds = ['agent', 'psv', 'sql', 'analysis', 'self-consistency', 'knowledge'] as const;
export type JobKind = (typeof jobKinds)[number];
