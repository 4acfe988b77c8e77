import type { Citation, DocumentResult, FieldValue, Finding } from '../../common/analysis-report.js';
import { AnalysisSpecSchema, type AnalysisSpec } from '../../common/analysis-spec.js';
import { fieldChoiceOutput, findingsOutput, sectionsOutput } from './analysis-outputs.js';
import type { BlobRef } from '../../common/blob-ref.js';
import { compareFields } from './compare-fields.js';
import type { PromptRef } from '../../common/prompt-template.js';
import { renderPrompt } from '../../common/render-prompt.js';
import { toResponseFormat, type OutputDefinition } from '../../common/structured-output.js';
import { findQuote } from './verify-quote.js';
import type { CallChatModelInput, CallChatModelOutput } from '../llm/call-chat-model.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';
import type { BlobStore } from './blob-store.js';
import {
  callForJson,
  estimateJsonCall,
  type AnalysisCallOutput,
  type JsonModelCall,
  type RepairTurn,
} from './json-model-call.js';
import { loadDocumentResult } from './stored-document-result.js';

interface ModelStepInput {
  spec: AnalysisSpec;
  model: string;
  prompt: PromptRef;
  repairs?: RepairTurn[];
  temperature?: number;
  maxOutputTokens?: number;
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

/**
 * The reduce step's model calls. Each renders its template inside the activity from stored
 * results, so the facts never pass through workflow history, and each returns problems instead
 * of failing when the answer does not validate, for the workflow's bounded repair loop.
 */
export function createReduceActivities(dependencies: {
  blobs: BlobStore;
  prompts: PromptLibrary;
  callChatModel: (input: CallChatModelInput) => Promise<CallChatModelOutput>;
}) {
  const { blobs, prompts, callChatModel } = dependencies;
  const loadResult = (ref: BlobRef): Promise<DocumentResult> => loadDocumentResult(blobs, ref);
  const jsonCall = <T>(
    input: ModelStepInput,
    variables: Record<string, string>,
    output: OutputDefinition<T>,
  ): JsonModelCall<T> => ({
    model: input.model,
    prompt: input.prompt,
    messages: renderPrompt(prompts.get(input.prompt), variables).messages,
    repairs: input.repairs,
    responseFormat: toResponseFormat(output),
    schema: output.schema,
    temperature: input.temperature,
    maxOutputTokens: input.maxOutputTokens,
  });

  /** Each step's request, rendered the same way for the call and for its estimate. */
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

  return {
    /** The most tokens a reduce step's call with this input can use: what a shared budget reserves for it. */
    estimateReduceStep: async (step: ReduceStep): Promise<{ inputTokens: number; outputTokens: number }> =>
      estimateJsonCall(
        step.kind === 'reconcile'
          ? reconcileCall(step.input).call
          : step.kind === 'identify'
            ? await identifyCall(step.input)
            : await sectionsCall(step.input),
      ),

    /** Chooses among a field's conflicting values; the choice must be one of the candidates. */
    reconcileField: async (
      input: ReconcileFieldInput,
    ): Promise<AnalysisCallOutput<{ choice: number; reason: string }>> => {
      const { call, options } = reconcileCall(input);
      const { base, parsed } = await callForJson(callChatModel, call);
      if (!parsed.ok) return { ...base, result: parsed };
      if (parsed.value.choice > options.length)
        return {
          ...base,
          result: { ok: false, problems: [`choice must be between 1 and ${options.length}`] },
        };
      // Zero-based for the workflow, which indexes the same options.
      return { ...base, result: { ok: true, choice: parsed.value.choice - 1, reason: parsed.value.reason } };
    },

    /**
     * The IDENTIFY step for one batch of documents. Every quote of every finding is looked up in
     * its document's text: a quote that is not there is dropped and counted, and a finding left
     * with no quote is dropped, so every finding in the report cites text that exists.
     */
    identifyFindings: async (
      input: IdentifyFindingsInput,
    ): Promise<
      AnalysisCallOutput<{ findings: Finding[]; hallucinatedQuotes: number; unsupported: number }>
    > => {
      const spec = AnalysisSpecSchema.parse(input.spec);
      const [call, texts] = await Promise.all([
        identifyCall(input),
        Promise.all(input.documents.map((document) => blobs.get(document.text))),
      ]);
      const documents = input.documents.map((document, index) => ({ id: document.id, text: texts[index]! }));
      const { base, parsed } = await callForJson(callChatModel, call);
      if (!parsed.ok) return { ...base, result: parsed };
      const problems = parsed.value.findings.flatMap((finding, index) =>
        spec.identify.includes(finding.kind)
          ? []
          : [`findings[${index}].kind "${finding.kind}" is not one of: ${spec.identify.join(', ')}`],
      );
      if (problems.length > 0) return { ...base, result: { ok: false, problems } };

      let hallucinatedQuotes = 0;
      let unsupported = 0;
      const findings: Finding[] = [];
      for (const finding of parsed.value.findings) {
        const citations: Citation[] = [];
        for (const { document: id, quote } of finding.quotes) {
          // A quote from a document not in this batch cannot be checked: it counts as invented.
          const text = documents.find((document) => document.id === id)?.text;
          const span = text === undefined ? undefined : findQuote(text, quote);
          if (text === undefined || !span) {
            hallucinatedQuotes += 1;
            continue;
          }
          citations.push({
            document: id,
            offset: span.start,
            length: span.end - span.start,
            quote: text.slice(span.start, span.end),
          });
        }
        if (citations.length === 0) unsupported += 1;
        else
          findings.push({
            kind: finding.kind,
            title: finding.title,
            detail: finding.detail,
            severity: finding.severity,
            citations,
          });
      }
      return { ...base, result: { ok: true, findings, hallucinatedQuotes, unsupported } };
    },

    /**
     * The OUTPUT step: the sections the spec names, written from a bounded summary of the run
     * (counts, each COMPARE field's distinct values, the most severe findings), so the prompt
     * stays the same size for 5 documents or 5,000.
     */
    writeSections: async (
      input: WriteSectionsInput,
    ): Promise<AnalysisCallOutput<{ sections: Record<string, string> }>> => {
      const spec = AnalysisSpecSchema.parse(input.spec);
      const { base, parsed } = await callForJson(callChatModel, await sectionsCall(input));
      if (!parsed.ok) return { ...base, result: parsed };
      const names = parsed.value.sections.map((section) => section.name);
      const problems = [
        ...spec.output.filter((name) => !names.includes(name)).map((name) => `section "${name}" is missing`),
        ...names
          .filter((name, index) => !spec.output.includes(name) || names.indexOf(name) !== index)
          .map((name) => `section "${name}" is not asked for or is given twice`),
      ];
      if (problems.length > 0) return { ...base, result: { ok: false, problems } };
      return {
        ...base,
        result: {
          ok: true,
          sections: Object.fromEntries(
            parsed.value.sections.map((section) => [section.name, section.markdown]),
          ),
        },
      };
    },
  };
}
