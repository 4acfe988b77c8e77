import { ApplicationFailure } from '@temporalio/common';
import {
  AnalysisSpecSchema,
  extractionJsonSchemaFor,
  extractionSchemaFor,
  type AnalysisSpec,
} from '../../common/analysis-spec.js';
import type { Citation } from '../../common/analysis-report.js';
import type { ChatMessage } from '../../common/chat.js';
import { chunkText } from '../../common/chunk-text.js';
import { describeIssues } from '../../common/describe-issues.js';
import { ErrorType } from '../../common/errors.js';
import type { PromptRef } from '../../common/prompt-template.js';
import { renderPrompt } from '../../common/render-prompt.js';
import { repairMessage } from '../../common/structured-output.js';
import { verifyQuotes } from '../../common/verify-quote.js';
import type { CallChatModelInput, CallChatModelOutput } from '../llm/call-chat-model.js';
import { countTokens } from '../prompts/count-tokens.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';
import type { BlobRef, BlobStore } from './blob-store.js';
import { ingestDocument } from './ingest.js';

export interface PrepareDocumentInput {
  file: string;
  id: string;
  maxTokens: number;
  overlapTokens: number;
}

/** A document as the workflow holds it: references and offsets, never the text itself. */
export interface PreparedDocument {
  id: string;
  name: string;
  format: string;
  pages?: number;
  characters: number;
  text: BlobRef;
  chunks: Array<{ index: number; start: number; end: number; tokens: number; blob: BlobRef }>;
}

export interface ExtractChunkInput {
  spec: AnalysisSpec;
  model: string;
  prompt: PromptRef;
  documentId: string;
  chunk: { index: number; start: number; blob: BlobRef };
  /** Earlier answers for this chunk that failed validation, with their problems, oldest first. */
  repairs?: Array<{ output: string; problems: string[] }>;
  temperature?: number;
  maxOutputTokens?: number;
}

export interface ExtractedField {
  field: string;
  value: string | number | string[] | null;
  citation: Citation;
}

export interface ExtractChunkOutput extends Omit<CallChatModelOutput, 'response'> {
  usage: CallChatModelOutput['response']['usage'];
  /** The model's raw answer, for a repair turn when it did not validate. */
  output: string;
  result:
    { ok: true; fields: ExtractedField[]; hallucinatedQuotes: string[] } | { ok: false; problems: string[] };
}

/** The spec's fields as the model reads them: name, type and description. */
function describeFields(spec: AnalysisSpec): string {
  return spec.fields
    .map((field) => `- ${field.name} (${field.type})${field.description ? `: ${field.description}` : ''}`)
    .join('\n');
}

/** A value for the report: money as the amount written in the document, the rest as given. */
function valueOf(value: string | string[] | { text: string }): ExtractedField['value'] {
  return typeof value === 'object' && !Array.isArray(value) ? value.text : value;
}

/**
 * The map step's activities. Texts never travel through workflow history: a document's text and
 * chunks go to the content-addressed blob store and the workflow holds their references, so a
 * run's history grows with the number of chunks, not with the size of the documents.
 */
export function createAnalysisActivities(dependencies: {
  blobs: BlobStore;
  prompts: PromptLibrary;
  callChatModel: (input: CallChatModelInput) => Promise<CallChatModelOutput>;
}) {
  const { blobs, prompts, callChatModel } = dependencies;
  return {
    /** Ingests, normalizes and chunks one document; stores its text and chunks; returns references. */
    prepareDocument: async (input: PrepareDocumentInput): Promise<PreparedDocument> => {
      let document;
      try {
        document = await ingestDocument(input.file, input.id);
      } catch (error) {
        throw ApplicationFailure.create({
          type: ErrorType.InvalidInput,
          message: (error as Error).message,
          nonRetryable: true,
        });
      }
      const chunks = chunkText(document.text, {
        maxTokens: input.maxTokens,
        overlapTokens: input.overlapTokens,
        countTokens,
      });
      return {
        id: document.id,
        name: document.name,
        format: document.format,
        ...(document.pages !== undefined ? { pages: document.pages } : {}),
        characters: document.text.length,
        text: await blobs.put(document.text),
        chunks: await Promise.all(
          chunks.map(async (chunk) => ({
            index: chunk.index,
            start: chunk.start,
            end: chunk.end,
            tokens: countTokens(chunk.text),
            blob: await blobs.put(chunk.text),
          })),
        ),
      };
    },

    /**
     * One chunk's structured extraction. The answer is validated with the schema derived from
     * the spec, and every quote is looked up verbatim (after whitespace normalization) in the
     * chunk: a quote that is not there is dropped with its value and counted as a hallucination.
     * An answer that does not validate comes back as problems for the workflow's repair loop.
     */
    extractChunk: async (input: ExtractChunkInput): Promise<ExtractChunkOutput> => {
      const spec = AnalysisSpecSchema.parse(input.spec);
      const text = await blobs.get(input.chunk.blob);
      const rendered = renderPrompt(prompts.get(input.prompt), {
        analysis: spec.name,
        fields: describeFields(spec),
        document: input.documentId,
        chunk: String(input.chunk.index + 1),
        text,
      });
      const repairTurns: ChatMessage[] = (input.repairs ?? []).flatMap((repair) => [
        { role: 'assistant', content: repair.output, toolCalls: [] },
        repairMessage(repair.problems),
      ]);
      const call = await callChatModel({
        model: input.model,
        prompt: input.prompt,
        request: {
          messages: [...rendered.messages, ...repairTurns],
          tools: [],
          responseFormat: {
            name: 'chunk_extraction',
            description: `Fields of the ${spec.name} analysis found in one chunk, each with a verbatim quote`,
            schema: extractionJsonSchemaFor(spec),
          },
          ...(input.temperature !== undefined ? { temperature: input.temperature } : {}),
          ...(input.maxOutputTokens !== undefined ? { maxOutputTokens: input.maxOutputTokens } : {}),
        },
      });
      const { response, ...accounting } = call;
      const output = response.message.content;
      const base = { ...accounting, usage: response.usage, output };
      let raw: unknown;
      try {
        raw = JSON.parse(output);
      } catch (error) {
        return {
          ...base,
          result: { ok: false, problems: [`the output is not valid JSON (${(error as Error).message})`] },
        };
      }
      const parsed = extractionSchemaFor(spec).safeParse(raw);
      if (!parsed.success)
        return { ...base, result: { ok: false, problems: describeIssues(parsed.error.issues, 'output') } };

      const fields: ExtractedField[] = [];
      const hallucinatedQuotes: string[] = [];
      for (const entry of parsed.data.fields) {
        const [found] = verifyQuotes(text, [entry.quote], input.chunk.start).found;
        if (!found) {
          hallucinatedQuotes.push(entry.quote);
          continue;
        }
        fields.push({
          field: entry.field,
          value: valueOf(entry.value),
          citation: {
            document: input.documentId,
            offset: found.start,
            length: found.end - found.start,
            quote: text.slice(found.start - input.chunk.start, found.end - input.chunk.start),
          },
        });
      }
      return { ...base, result: { ok: true, fields, hallucinatedQuotes } };
    },
  };
}
