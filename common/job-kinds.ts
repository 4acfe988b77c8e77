/**
 * The jobs llmos runs, by the one name each goes by everywhere: file names, the `LlmosKind`
 * search attribute, default workflow ids (`<kind>-<uuid>`) and the CLI (where the analysis is
 * started with the verb, `llmos analyze`, knowledge bases are `llmos kb` and customer-service sessions `llmos chat` and `llmos cs`).
 */
export const jobKinds = [
  'agent',
  'psv',
  'sql',
  'analysis',
  'self-consistency',
  'knowledge',
  'customer-service',
] as const;
export type JobKind = (typeof jobKinds)[number];
