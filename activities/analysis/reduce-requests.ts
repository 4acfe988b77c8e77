import type { CallAllowance } from '../../common/call-allowance.js';
import type { DocumentResult, FieldValue, Finding } from '../../common/analysis-report.js';
import { AnalysisSpecSchema, type AnalysisSpec } from '../../common/analysis-spec.js';
import type { BlobRef } from '../../common/blob-ref.js';
import type { PromptRef } from '../../common/prompt-template.js';
import { renderPrompt } from '../../common/render-prompt.js';
import { withCanary } from '../../common/canary.js';
import type { ChatMessage } from '../../common/chat.js';
import { toResponseFormat, type OutputDefinition } from '../../common/structured-output.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';
import { fieldChoiceOutput, findingsOutput, sectionsOutput } from './analysis-outputs.js';
import type { BlobStore } from '../blobs/blob-store.js';
import { compareFields } from './compare-fields.js';
import type { JsonModelCall } from './json-model-call.js';
import type { RepairTurn } from '../../common/structured-output.js';
import { loadDocumentResult } from './stored-document-result.js';

interface ModelStepInput {
  spec: AnalysisSpec;
  model: string;
  prompt: PromptRef;
  /** A canary token the rendered system prompt gets (`withCanary`): the run's output guard looks for it in the report. */
  canary?: string;
  repairs?: RepairTurn[];
  temperature?: number;
  maxOutputTokens?: number;
  /** What the run's caps leave the call. */
  allowance?: CallAllowance;
}

export interface ReconcileFieldInput extends ModelStepInput {
  documentId: string;
  field: string;
  /** The field as merged: its value first, then the alternatives, is the order the model sees. */
  value: FieldValue;
}

export interface IdentifyFindingsInput extends ModelStepInput {
  /** One batch of documents: their stored results and texts (quotes are checked against the text). */
  documents: Array<{ id: string; result: BlobRef; text: BlobRef }>;
}

export interface WriteSectionsInput extends ModelStepInput {
  documents: Array<{ id: string; status: DocumentResult['status']; result?: BlobRef | undefined }>;
  findings: Finding[];
  notAnalyzed: number;
}

/** A reduce step's input, named by its step: what `estimateReduceStep` prices. */
export type ReduceStep =
  | { kind: 'reconcile'; input: ReconcileFieldInput }
  | { kind: 'identify'; input: IdentifyFindingsInput }
  | { kind: 'output'; input: WriteSectionsInput };

const clip = (text: string, length: number): string =>
  text.length > length ? `${text.slice(0, length - 1)}…` : text;

const showValue = (value: FieldValue['value']): string =>
  Array.isArray(value) ? value.join('; ') : String(value);

/** A document's facts as the model reads them: one line per field, with its first quote. */
function describeFacts(document: DocumentResult): string {
  const lines = Object.entries(document.fields).map(([field, found]) => {
    const quote = found.citations[0]?.quote;
    return `- ${field}: ${clip(showValue(found.value), 300)}${quote ? `\n  quote: "${clip(quote, 400)}"` : ''}`;
  });
  return `Document: ${document.id}\n${lines.join('\n') || '- (no fields found)'}`;
}

const severityOrder = { high: 0, medium: 1, low: 2 } as const;

const withCanaryIf = (messages: ChatMessage[], canary: string | undefined): ChatMessage[] =>
  canary ? withCanary(messages, canary) : messages;

/**
 * The reduce steps' requests (reconcile, identify, output), rendered from stored results inside
 * the activity, the same way for the call and for its estimate, so the facts never pass through
 * workflow history.
 */
export function createReduceRequests(dependencies: { blobs: BlobStore; prompts: PromptLibrary }) {
  const { blobs, prompts } = dependencies;
  const loadResult = (ref: BlobRef): Promise<DocumentResult> => loadDocumentResult(blobs, ref);
  const jsonCall = <T>(
    input: ModelStepInput,
    variables: Record<string, string>,
    output: OutputDefinition<T>,
  ): JsonModelCall<T> => ({
    model: input.model,
    prompt: input.prompt,
    messages: withCanaryIf(renderPrompt(prompts.get(input.prompt), variables).messages, input.canary),
    repairs: input.repairs,
    responseFormat: toResponseFormat(output),
    schema: output.schema,
    temperature: input.temperature,
    maxOutputTokens: input.maxOutputTokens,
    allowance: input.allowance,
  });

  const reconcileCall = (input: ReconcileFieldInput) => {
    const spec = AnalysisSpecSchema.parse(input.spec);
    const field = spec.fields.find((candidate) => candidate.name === input.field);
    const options = [input.value, ...(input.value.conflict?.alternatives ?? [])];
    const candidates = options
      .map(
        (option, index) =>
          `${index + 1}. ${showValue(option.value)}\n` +
          option.citations.map((citation) => `   quote: "${clip(citation.quote, 400)}"`).join('\n'),
      )
      .join('\n');
    const call = jsonCall(
      input,
      {
        analysis: spec.name,
        document: input.documentId,
        field: `${input.field} (${field?.type ?? 'text'})${field?.description ? `: ${field.description}` : ''}`,
        candidates,
      },
      fieldChoiceOutput,
    );
    return { call, options };
  };

  const identifyCall = async (input: IdentifyFindingsInput) => {
    const spec = AnalysisSpecSchema.parse(input.spec);
    const results = await Promise.all(input.documents.map((document) => loadResult(document.result)));
    return jsonCall(
      input,
      {
        analysis: spec.name,
        kinds: spec.identify.join(', '),
        fields: spec.fields.map((field) => `- ${field.name} (${field.type})`).join('\n'),
        documents: results.map((result) => describeFacts(result)).join('\n\n'),
      },
      findingsOutput,
    );
  };

  const sectionsCall = async (input: WriteSectionsInput) => {
    const spec = AnalysisSpecSchema.parse(input.spec);
    const results = await Promise.all(
      input.documents.flatMap((document) => (document.result ? [loadResult(document.result)] : [])),
    );
    const count = (status: DocumentResult['status']): number =>
      input.documents.filter((document) => document.status === status).length;
    const comparisons = compareFields(spec, results).map((comparison) => {
      const differing = comparison.rows
        .filter((row) => row.value !== null)
        .slice(0, 30)
        .map((row) => `  - ${row.document}: ${clip(showValue(row.value), 200)}`);
      return `- ${comparison.field}: ${comparison.consistent ? 'consistent' : 'inconsistent'}; ${comparison.summary ?? ''}\n${differing.join('\n')}`;
    });
    const topFindings = [...input.findings]
      .sort((a, b) => severityOrder[a.severity] - severityOrder[b.severity])
      .slice(0, 40)
      .map(
        (finding) =>
          `- [${finding.severity}] ${finding.kind}: ${finding.title}: ${clip(finding.detail, 400)} ` +
          `(${[...new Set(finding.citations.map((citation) => citation.document))].join(', ')})`,
      );
    const summary = [
      `Documents: ${input.documents.length} (analyzed ${count('analyzed')}, partly ${count('partial')}, ` +
        `failed ${count('failed')}, skipped ${count('skipped')}); ${input.notAnalyzed} items not analyzed.`,
      `Compared fields:\n${comparisons.join('\n') || '- (none)'}`,
      `Findings (${input.findings.length}${input.findings.length > 40 ? ', the 40 most severe shown' : ''}):\n` +
        (topFindings.join('\n') || '- (none)'),
    ].join('\n\n');
    return jsonCall(
      input,
      { analysis: spec.name, sections: spec.output.join(', '), results: summary },
      sectionsOutput,
    );
  };

  return { reconcileCall, identifyCall, sectionsCall };
}
