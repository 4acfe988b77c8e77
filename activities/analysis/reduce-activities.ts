import type { Citation, Finding } from '../../common/analysis-report.js';
import { AnalysisSpecSchema } from '../../common/analysis-spec.js';
import type { WholeRequestInput, CallChatModelOutput } from '../llm/call-chat-model.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';
import type { BlobStore } from '../blobs/blob-store.js';
import { callForJson, estimateJsonCall, type AnalysisCallOutput } from './json-model-call.js';
import {
  createReduceRequests,
  type IdentifyFindingsInput,
  type ReconcileFieldInput,
  type ReduceStep,
  type WriteSectionsInput,
} from './reduce-requests.js';
import { findQuote } from './verify-quote.js';

/**
 * The reduce step's model calls. Each renders its template inside the activity from stored
 * results, so the facts never pass through workflow history, and each returns problems instead
 * of failing when the answer does not validate, for the workflow's bounded repair loop.
 */
export function createReduceActivities(dependencies: {
  blobs: BlobStore;
  prompts: PromptLibrary;
  callChatModel: (input: WholeRequestInput) => Promise<CallChatModelOutput>;
}) {
  const { blobs, callChatModel } = dependencies;
  const { reconcileCall, identifyCall, sectionsCall } = createReduceRequests(dependencies);

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
