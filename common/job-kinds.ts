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

/**
 * The kind of a top-level run by its workflow type, for runs listed from visibility (the
 * `LlmosKind` search attribute says it where the namespace has it); undefined for what is no job
 * (budget ledgers, feedback, the monitors). Analysis documents are children, counted in their corpus.
 */
export const jobKindOfWorkflowType: Readonly<Record<string, JobKind>> = {
  reactAgentWorkflow: 'agent',
  planSolveVerifyWorkflow: 'psv',
  selfConsistencyWorkflow: 'self-consistency',
  nl2sqlWorkflow: 'sql',
  analyzeCorpusWorkflow: 'analysis',
  analyzeDocumentWorkflow: 'analysis',
  knowledgeIngestWorkflow: 'knowledge',
  customerServiceWorkflow: 'customer-service',
};
