/**
 * The labelled retrieval set of `bench:knowledge`, made from CUAD's clause labels: one query per
 * (contract, clause category) that CUAD's lawyers labelled in that contract, asking CUAD's own
 * description of the category ("Which state/country's law governs the interpretation of the
 * contract?"), with the labelled spans located in the contract's normalised text.
 *
 *   node --import tsx scripts/bench/cuad-queries.ts [--out test/fixtures/knowledge/cuad-queries.jsonl]
 *
 * regenerates test/fixtures/knowledge/cuad-queries.jsonl from test/fixtures/cuad: the 23
 * contracts of `master_clauses_subset.csv` (CUAD's master clauses CSV, the rows of these
 * contracts) in txt/, held-out/ and retrieval/, and the category list of CUAD_v1_README.txt.
 *
 * The CSV has the labelled text but no offsets, and `normalizeText` changes offsets anyway (runs
 * of spaces, line ends), so each label is found by its text: normalised the same way, then looked
 * for verbatim, then with any run of whitespace (or none) between its words, since the CSV was
 * taken from the PDFs and its line breaks and spacing differ from the text exports. A label
 * that CUAD cut with "<omitted>" is found piece by piece, each after the one before. Labels
 * found nowhere are left out and counted on stderr.
 *
 * Left out as queries: Document Name, Parties, Agreement Date and Effective Date, whose CUAD
 * descriptions are noun phrases, not questions ("The name of the contract"), and whose labels
 * are names and dates that recur all over a contract rather than clauses.
 *
 * Each line: {contract, category, question, labels, relevant}: `contract` is the file under
 * test/fixtures/cuad, `labels` the located spans as [start, end) offsets in the normalised text,
 * and `relevant` the spans of the chunks (`queryChunking`, o200k tokens) that overlap a label.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { chunkText, type TextChunk } from '../../activities/analysis/chunk-text.js';
import { normalizeText } from '../../activities/analysis/normalize-text.js';
import { countTokens } from '../../activities/prompts/count-tokens.js';
import { projectRoot } from '../../workers/project-root.js';

/** How the bench cuts the contracts: 200 o200k tokens a chunk, 20 of them shared with the next. */
export const queryChunking = { maxTokens: 200, overlapTokens: 20 } as const;

const cuadDirectory = path.join(projectRoot, 'test/fixtures/cuad');
export const cuadQueriesFile = path.join(projectRoot, 'test/fixtures/knowledge/cuad-queries.jsonl');
/** The folders of test/fixtures/cuad that hold the contracts as text. */
const contractFolders = ['txt', 'held-out', 'retrieval'];

const SpanSchema = z.tuple([z.number().int().nonnegative(), z.number().int().positive()]);
export const CuadQuerySchema = z.object({
  contract: z.string(),
  category: z.string(),
  question: z.string(),
  labels: z.array(SpanSchema).min(1),
  relevant: z.array(SpanSchema).min(1),
});
export type CuadQuery = z.infer<typeof CuadQuerySchema>;

export interface CuadContract {
  /** The file under test/fixtures/cuad, e.g. `txt/GOCALLINC_...txt`. */
  contract: string;
  /** `normalizeText` of the file: every offset points into this. */
  text: string;
}

/** Every contract as text in test/fixtures/cuad, normalised, in file-name order. */
export function readCuadContracts(): CuadContract[] {
  return contractFolders
    .flatMap((folder) =>
      readdirSync(path.join(cuadDirectory, folder))
        .filter((name) => name.endsWith('.txt'))
        .map((name) => `${folder}/${name}`),
    )
    .sort((a, b) => path.basename(a).localeCompare(path.basename(b)))
    .map((contract) => ({
      contract,
      text: normalizeText(readFileSync(path.join(cuadDirectory, contract), 'utf8')),
    }));
}

/** The contract cut as the bench cuts it. */
export const chunkContract = (text: string): TextChunk[] =>
  chunkText(text, { ...queryChunking, countTokens });

/** The committed query set. */
export function readCuadQueries(file: string = cuadQueriesFile): CuadQuery[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const parsed = CuadQuerySchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${file}:${index + 1}: not a query: ${parsed.error.message}`);
      return parsed.data;
    });
}

/** Categories whose descriptions are not questions and whose labels are not clauses (see above). */
const notQueried = new Set(['Document Name', 'Parties', 'Agreement Date', 'Effective Date']);
/** The CSV's column names where the README's category list spells them otherwise. */
const readmeName: Record<string, string> = {
  'Notice Period to Terminate Renewal': 'Notice to Terminate Renewal',
  'Rofr/Rofo/Rofn': 'Right of First Refusal, Offer or Negotiation (ROFR/ROFO/ROFN)',
  'Price Restrictions': 'Price Restriction',
  'Affiliate License-Licensor': 'Affiliate IP License-Licensor',
  'Affiliate License-Licensee': 'Affiliate IP License-Licensee',
  'Unlimited/All-You-Can-Eat-License': 'Unlimited/All-You-Can-Eat License',
};

/** CUAD's description of each category, from the README's category list, by the README's name. */
export function cuadDescriptions(readme: string): Map<string, string> {
  const entries = readme.matchAll(/Category:\s*(.+?)\s*\n\s*Description:\s*(.+?)\s*\n/g);
  return new Map([...entries].map((match) => [match[1]!, match[2]!.replace(/\s+/g, ' ')]));
}

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/**
 * A Python list of strings as `repr` writes it (CUAD's CSV stores each category's labels so):
 * `['one', "it's"]`, with backslash escapes.
 */
export function parsePythonStrings(literal: string): string[] {
  const strings: string[] = [];
  const text = literal.trim();
  if (!text.startsWith('[') || !text.endsWith(']')) throw new Error(`not a list: ${literal.slice(0, 60)}`);
  let index = 1;
  const skip = () => {
    while (index < text.length - 1 && /[\s,]/.test(text[index]!)) index += 1;
  };
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };
  for (skip(); index < text.length - 1; skip()) {
    const quote = text[index];
    if (quote !== "'" && quote !== '"') throw new Error(`not a string at ${index}: ${literal.slice(0, 60)}`);
    let value = '';
    for (index += 1; text[index] !== quote; index += 1) {
      if (index >= text.length) throw new Error(`unterminated string: ${literal.slice(0, 60)}`);
      if (text[index] !== '\\') {
        value += text[index];
        continue;
      }
      const code = text[index + 1]!;
      const hexLength = { x: 2, u: 4, U: 8 }[code];
      if (hexLength) {
        value += String.fromCodePoint(parseInt(text.slice(index + 2, index + 2 + hexLength), 16));
        index += 1 + hexLength;
      } else {
        value += escapes[code] ?? `\\${code}`;
        index += 1;
      }
    }
    index += 1;
    strings.push(value);
  }
  return strings;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Where `piece` is in `text`, at or after `from`: verbatim, else with any whitespace (or none)
 * between its words. Undefined when it is in neither form.
 */
export function locate(text: string, piece: string, from = 0): [number, number] | undefined {
  const exact = text.indexOf(piece, from);
  if (exact >= 0) return [exact, exact + piece.length];
  const words = piece.split(/\s+/).filter((word) => word !== '');
  if (words.length === 0) return undefined;
  const loose = new RegExp(words.map(escapeRegExp).join('\\s*'), 'g');
  loose.lastIndex = from;
  const match = loose.exec(text);
  return match ? [match.index, match.index + match[0].length] : undefined;
}

/** The spans of one category's labels in a contract; pieces found nowhere are counted in `missed`. */
function labelSpans(text: string, labels: readonly string[], missed: string[]): [number, number][] {
  const spans: [number, number][] = [];
  for (const label of labels) {
    let from = 0;
    for (const raw of label.split('<omitted>')) {
      const piece = normalizeText(raw).trim();
      if (piece === '') continue;
      const span = locate(text, piece, from) ?? locate(text, piece);
      if (!span) {
        missed.push(piece);
        continue;
      }
      spans.push(span);
      from = span[1];
    }
  }
  return spans
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .filter(
      (span, index, all) => index === 0 || span[0] !== all[index - 1]![0] || span[1] !== all[index - 1]![1],
    );
}

const overlaps = (a: readonly [number, number], b: readonly [number, number]) => a[0] < b[1] && b[0] < a[1];

/** The chunks that overlap any of the spans, as [start, end) spans. */
export function relevantChunks(
  chunks: readonly TextChunk[],
  spans: readonly (readonly [number, number])[],
): [number, number][] {
  return chunks
    .filter((chunk) => spans.some((span) => overlaps(span, [chunk.start, chunk.end])))
    .map((chunk) => [chunk.start, chunk.end]);
}

/** The query set from the CSV, the README and the contracts (see the file comment). */
export function buildCuadQueries(
  csv: string,
  readme: string,
  contracts: readonly CuadContract[],
): { queries: CuadQuery[]; located: number; missed: string[] } {
  const [header, ...rows] = parseCsv(csv).filter((row) => row.length > 1);
  if (!header || header[0] !== 'Filename') throw new Error('the CSV does not start with a Filename column');
  const descriptions = cuadDescriptions(readme);
  const byName = new Map(contracts.map((contract) => [path.basename(contract.contract), contract]));
  const queries: CuadQuery[] = [];
  const missed: string[] = [];
  let located = 0;
  for (const row of rows) {
    const file = `${row[0]!.replace(/\.pdf$/i, '')}.txt`;
    const contract = byName.get(file);
    if (!contract) throw new Error(`no text of ${file} in test/fixtures/cuad`);
    const chunks = chunkContract(contract.text);
    header.forEach((category, column) => {
      if (column === 0 || category.endsWith('-Answer') || notQueried.has(category)) return;
      const labels = parsePythonStrings(row[column] ?? '[]');
      if (labels.length === 0) return;
      const question = descriptions.get(readmeName[category] ?? category);
      if (!question) throw new Error(`CUAD_v1_README.txt has no description of "${category}"`);
      const before = missed.length;
      const spans = labelSpans(contract.text, labels, missed);
      located += labels
        .join('<omitted>')
        .split('<omitted>')
        .filter((piece) => piece.trim() !== '').length;
      located -= missed.length - before;
      if (spans.length === 0) return;
      queries.push({
        contract: contract.contract,
        category,
        question,
        labels: spans,
        relevant: relevantChunks(chunks, spans),
      });
    });
  }
  return { queries, located, missed };
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: cuadQueriesFile } } });
  const { queries, located, missed } = buildCuadQueries(
    readFileSync(path.join(cuadDirectory, 'master_clauses_subset.csv'), 'utf8'),
    readFileSync(path.join(cuadDirectory, 'CUAD_v1_README.txt'), 'utf8'),
    readCuadContracts(),
  );
  writeFileSync(values.out, queries.map((query) => JSON.stringify(query)).join('\n') + '\n');
  const contracts = new Set(queries.map((query) => query.contract)).size;
  const categories = new Set(queries.map((query) => query.category)).size;
  console.log(
    `wrote ${queries.length} queries (${contracts} contracts, ${categories} categories) to ${path.relative(projectRoot, values.out)}`,
  );
  console.log(`label pieces located: ${located}, not found: ${missed.length}`);
  for (const piece of missed) console.error(`not found: ${JSON.stringify(piece.slice(0, 160))}`);
}
