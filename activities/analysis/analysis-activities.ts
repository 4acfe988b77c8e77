import type { CallAllowance } from '../../common/call-allowance.js';
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import {
  AnalysisSpecSchema,
  extractionJsonSchemaFor,
  extractionSchemaFor,
  type AnalysisSpec,
} from '../../common/analysis-spec.js';
import type { Citation, DocumentResult } from '../../common/analysis-report.js';
import { chunkText } from './chunk-text.js';
import { ErrorType } from '../../common/errors.js';
import type { PromptRef } from '../../common/prompt-template.js';
import { renderPrompt } from '../../common/render-prompt.js';
import { verifyQuotes } from './verify-quote.js';
import type { WholeRequestInput, CallChatModelOutput } from '../llm/call-chat-model.js';
import { countTokens } from '../prompts/count-tokens.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';
import type { BlobRef, BlobStore } from '../blobs/blob-store.js';
import { ingestDocument, listDocuments, type DocumentSource } from './ingest.js';
import {
  callForJson,
  estimateJsonCall,
  type AnalysisCallOutput,
  type JsonModelCall,
} from './json-model-call.js';
import type { RepairTurn } from '../../common/structured-output.js';
import type { GuardRun, GuardStep } from '../../common/guards.js';
import { currentGuardPlace, type GuardService } from '../guards/guard-service.js';
import { unmaskPii } from '../guards/pii/mask-pii.js';

export interface PrepareDocumentInput {
  file: string;
  id: string;
  maxTokens: number;
  overlapTokens: number;
  /** The run's guards: each chunk goes through the untrusted stage before any prompt reads it. */
  guard?: GuardRun | undefined;
}

/** A document as the workflow holds it: references and offsets, never the text itself. */
export interface PreparedDocument {
  id: string;
  name: string;
  format: string;
  pages?: number;
  characters: number;
  text: BlobRef;
  chunks: PreparedChunk[];
}

export interface PreparedChunk {
  index: number;
  start: number;
  end: number;
  tokens: number;
  /** The chunk's text as the document has it: what quotes are verified against. */
  blob: BlobRef;
  /** The chunk's text with personal data masked, when the untrusted stage masked it: what the model reads. */
  masked?: BlobRef;
  /** The untrusted stage's verdict on the chunk, unless it let it pass (`allow`). */
  guard?: GuardStep;
}

export interface ExtractChunkInput {
  spec: AnalysisSpec;
  model: string;
  prompt: PromptRef;
  documentId: string;
  chunk: { index: number; start: number; blob: BlobRef; masked?: BlobRef | undefined };
  /** With `chunk.masked`: the run's vault, which turns the model's quotes back into the document's words. */
  piiVault?: string | undefined;
  /** Earlier answers for this chunk that failed validation, with their problems, oldest first. */
  repairs?: RepairTurn[];
  temperature?: number;
  maxOutputTokens?: number;
  /** What the run's caps leave the call. */
  allowance?: CallAllowance;
}

export interface ExtractedField {
  field: string;
  value: string | number | string[] | null;
  citation: Citation;
}

export type ExtractChunkOutput = AnalysisCallOutput<{
  fields: ExtractedField[];
  hallucinatedQuotes: string[];
}>;

/** A chunk's answer as the spec-derived schema parses it. */
type ExtractionAnswer = z.output<ReturnType<typeof extractionSchemaFor>>;

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
/** Specs whose extraction schemas a worker keeps: a run asks for one spec at every chunk. */
const extractionSchemaEntries = 32;

/**
 * The zod schema and the JSON Schema a spec's extractions are checked against and shown with,
 * built once per spec: building them costs more than the rest of a chunk's work in the worker.
 */
function extractionSchemaCache() {
  const cache = new Map<
    string,
    { schema: ReturnType<typeof extractionSchemaFor>; jsonSchema: Record<string, unknown> }
  >();
  return (spec: AnalysisSpec) => {
    const key = JSON.stringify(spec);
    let entry = cache.get(key);
    if (!entry) {
      entry = { schema: extractionSchemaFor(spec), jsonSchema: extractionJsonSchemaFor(spec) };
      cache.set(key, entry);
      if (cache.size > extractionSchemaEntries) cache.delete(cache.keys().next().value!);
    }
    return entry;
  };
}

export function createAnalysisActivities(dependencies: {
  blobs: BlobStore;
  prompts: PromptLibrary;
  callChatModel: (input: WholeRequestInput) => Promise<CallChatModelOutput>;
  guards: GuardService;
}) {
  const { blobs, prompts, callChatModel, guards } = dependencies;
  const extractionSchemas = extractionSchemaCache();
  const invalidInput = (error: unknown): ApplicationFailure =>
    ApplicationFailure.create({
      type: ErrorType.InvalidInput,
      message: (error as Error).message,
      nonRetryable: true,
    });
  /** One chunk's extraction call: the chunk's text and the request the model is sent. */
  const extraction = async (input: ExtractChunkInput) => {
    const spec = AnalysisSpecSchema.parse(input.spec);
    const text = await blobs.get(input.chunk.blob);
    const shown = input.chunk.masked ? await blobs.get(input.chunk.masked) : text;
    const rendered = renderPrompt(prompts.get(input.prompt), {
      analysis: spec.name,
      fields: describeFields(spec),
      document: input.documentId,
      chunk: String(input.chunk.index + 1),
      text: shown,
    });
    const { schema, jsonSchema } = extractionSchemas(spec);
    const call: JsonModelCall<ExtractionAnswer> = {
      model: input.model,
      prompt: input.prompt,
      messages: rendered.messages,
      repairs: input.repairs,
      responseFormat: {
        name: 'chunk_extraction',
        description: `Fields of the ${spec.name} analysis found in one chunk, each with a verbatim quote`,
        schema: jsonSchema,
      },
      schema,
      temperature: input.temperature,
      maxOutputTokens: input.maxOutputTokens,
      allowance: input.allowance,
    };
    return { text, call };
  };

  /**
   * The chunks through the untrusted stage, one after another (the vault numbers new values in
   * document order): each with its verdict unless it passed, and its masked text when it changed.
   */
  const guardChunks = async (
    prepared: PreparedChunk[],
    texts: string[],
    { id, guard }: PrepareDocumentInput,
  ): Promise<PreparedChunk[]> => {
    if (!guard) return prepared;
    const place = currentGuardPlace();
    const guarded: PreparedChunk[] = [];
    for (const [index, chunk] of prepared.entries()) {
      const text = texts[index]!;
      const { step, text: shown } = await guards.check('untrusted', `${id} chunk ${index + 1}`, text, guard, {
        ...place,
        step: `${place.step}/chunk-${index}`,
      });
      guarded.push({
        ...chunk,
        ...(step.verdict !== 'allow' ? { guard: step } : {}),
        ...(shown !== text ? { masked: await blobs.put(shown) } : {}),
      });
    }
    return guarded;
  };

  return {
    /** The documents of a corpus run: files as given, folders searched for .txt, .md, .pdf and .html. */
    listAnalysisDocuments: async (paths: string[]): Promise<DocumentSource[]> => {
      let sources;
      try {
        sources = await listDocuments(paths);
      } catch (error) {
        throw invalidInput(error);
      }
      if (sources.length === 0)
        throw invalidInput(new Error(`no .txt, .md, .pdf or .html documents in ${paths.join(', ')}`));
      return sources;
    },

    /** Keeps a document's merged fields out of its parent's history: the parent holds the reference. */
    storeDocumentResult: async (result: DocumentResult): Promise<BlobRef> =>
      blobs.put(JSON.stringify(result)),

    /** Ingests, normalizes and chunks one document; stores its text and chunks; returns references. */
    prepareDocument: async (input: PrepareDocumentInput): Promise<PreparedDocument> => {
      let document;
      try {
        document = await ingestDocument(input.file, input.id);
      } catch (error) {
        throw invalidInput(error);
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
        chunks: await guardChunks(
          await Promise.all(
            chunks.map(async (chunk) => ({
              index: chunk.index,
              start: chunk.start,
              end: chunk.end,
              tokens: countTokens(chunk.text),
              blob: await blobs.put(chunk.text),
            })),
          ),
          chunks.map((chunk) => chunk.text),
          input,
        ),
      };
    },

    /** The most tokens `extractChunk` with this input can use: what a shared budget reserves for it. */
    estimateExtractChunk: async (
      input: ExtractChunkInput,
    ): Promise<{ inputTokens: number; outputTokens: number }> =>
      estimateJsonCall((await extraction(input)).call),

    /**
     * One chunk's structured extraction. The answer is validated with the schema derived from
     * the spec, and every quote is looked up verbatim (after whitespace normalization) in the
     * chunk: a quote that is not there is dropped with its value and counted as a hallucination.
     * An answer that does not validate comes back as problems for the workflow's repair loop.
     */
    extractChunk: async (input: ExtractChunkInput): Promise<ExtractChunkOutput> => {
      const { text, call } = await extraction(input);
      const { base, parsed } = await callForJson(callChatModel, call);
      if (!parsed.ok) return { ...base, result: parsed };

      // The model read the masked chunk: its quotes hold placeholders, the document its values.
      const vault = input.chunk.masked && input.piiVault ? await guards.vaultEntries(input.piiVault) : [];
      const fields: ExtractedField[] = [];
      const hallucinatedQuotes: string[] = [];
      for (const entry of parsed.value.fields) {
        const [found] = verifyQuotes(text, [unmaskPii(entry.quote, vault)], input.chunk.start).found;
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
            // Where the chunk was masked, the quote keeps its placeholders: the values stay in the vault.
            quote: input.chunk.masked
              ? entry.quote
              : text.slice(found.start - input.chunk.start, found.end - input.chunk.start),
          },
        });
      }
      return { ...base, result: { ok: true, fields, hallucinatedQuotes } };
    },
  };
}
