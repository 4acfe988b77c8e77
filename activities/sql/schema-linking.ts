import MiniSearch from 'minisearch';
import type { ColumnInfo, DatabaseSchema, TableInfo } from '../../common/database.js';
import { processTerm, splitWords, termsOf } from './tokenize-identifiers.js';

/**
 * Schema linking: which tables (and columns) of a database a question is about, so the NL2SQL
 * prompt carries the few tables that matter instead of the whole schema. Pure and synchronous:
 * call it inside an activity, or anywhere; nothing here touches the database.
 *
 * Ranking, in three steps:
 * 1. Lexical: one MiniSearch (BM25+) document per table with the table name (boosted most), its
 *    column names, comments and sample values, all split into words (`InvoiceLine` → invoice, line)
 *    and lightly stemmed so "invoices" meets `Invoice`. Scores are divided by the best one: [0, 1].
 * 2. Extra rankers (the embedding hook): each one's scores are min-max normalized over the schema's
 *    tables and added, times the ranker's weight (default 1).
 * 3. Joins: every table whose score so far is at least {@link strongShare} of the best passes
 *    {@link neighbourShare} of it to each foreign-key neighbour. A table between two matched tables
 *    gets two shares, which is how `Album` surfaces for "tracks by artist". Foreign keys are the
 *    declared ones plus, for schemas that declare none, `<Table>Id` columns naming another table.
 *
 * Column scores come from a second BM25 index with one document per column, over the same words.
 */

export interface RankedColumn {
  name: string;
  score: number;
}

export interface RankedTable {
  table: string;
  score: number;
  /** Every column of the table, best first; ties keep the schema's order. */
  columns: RankedColumn[];
}

/** A further opinion on which tables a question needs, e.g. cosine similarity of embeddings. */
export interface SchemaRanker {
  readonly name: string;
  /** How much its min-max normalized scores count next to the lexical ones (which span [0, 1]). Default 1. */
  readonly weight?: number;
  /** Table name → score; tables it leaves out score its minimum. Must be synchronous: embed the question first. */
  rank(question: string, schema: DatabaseSchema): Map<string, number>;
}

export interface LinkSchemaOptions {
  /** How many tables to return; all by default. */
  limit?: number;
  rankers?: readonly SchemaRanker[];
}

/** The share of a strongly matched table's score that each of its foreign-key neighbours receives. */
export const neighbourShare = 0.3;
/** A table passes a share to its neighbours when it scores at least this share of the best table. */
export const strongShare = 0.3;

const tableBoost = { name: 3, columns: 1.5, comment: 1, samples: 0.75 };
const columnBoost = { name: 2, comment: 1, samples: 0.75 };

interface Indexes {
  tables: MiniSearch;
  columns: MiniSearch;
  edges: Array<[string, string]>;
}

// Schemas are introspected once per job and reused for every question: index each one once.
const indexCache = new WeakMap<DatabaseSchema, Indexes>();

function indexesFor(schema: DatabaseSchema): Indexes {
  const cached = indexCache.get(schema);
  if (cached) return cached;
  const options = { tokenize: splitWords, processTerm };
  const tables = new MiniSearch({ ...options, fields: ['name', 'columns', 'comment', 'samples'] });
  tables.addAll(
    schema.tables.map((table, id) => ({
      id,
      name: table.name,
      columns: table.columns.map((column) => column.name).join(' '),
      comment: [table.comment ?? '', ...table.columns.map((column) => column.comment ?? '')].join(' '),
      samples: table.columns.flatMap((column) => column.samples).join(' '),
    })),
  );
  const columns = new MiniSearch({ ...options, fields: ['name', 'comment', 'samples'] });
  columns.addAll(
    schema.tables.flatMap((table, tableIndex) =>
      table.columns.map((column, columnIndex) => ({
        id: `${tableIndex}.${columnIndex}`,
        name: column.name,
        comment: column.comment ?? '',
        samples: column.samples.join(' '),
      })),
    ),
  );
  const indexes = { tables, columns, edges: joinEdges(schema) };
  indexCache.set(schema, indexes);
  return indexes;
}

/** Ranks the schema's tables for a question, best first; ties go by table name. Deterministic. */
export function linkSchema(
  question: string,
  schema: DatabaseSchema,
  options: LinkSchemaOptions = {},
): RankedTable[] {
  const { tables: tableIndex, columns: columnIndex, edges } = indexesFor(schema);
  const names = schema.tables.map((table) => table.name);
  const hasTerms = termsOf(question).length > 0;

  const lexical = new Map<string, number>(names.map((name) => [name, 0]));
  if (hasTerms) {
    for (const hit of tableIndex.search(question, { boost: tableBoost })) {
      lexical.set(names[hit.id as number]!, hit.score);
    }
  }
  const base = scaleToBest(lexical);
  for (const ranker of options.rankers ?? []) {
    const normalized = minMax(ranker.rank(question, schema), names);
    for (const name of names) base.set(name, base.get(name)! + (ranker.weight ?? 1) * normalized.get(name)!);
  }

  const best = Math.max(0, ...base.values());
  const final = new Map(base);
  if (best > 0) {
    for (const [from, to] of edges) {
      const score = base.get(from)!;
      if (score >= strongShare * best) final.set(to, final.get(to)! + neighbourShare * score);
    }
  }

  const columnScores = new Map<string, number>();
  if (hasTerms) {
    for (const hit of columnIndex.search(question, { boost: columnBoost }))
      columnScores.set(hit.id as string, hit.score);
  }
  const ranked = schema.tables.map((table, tableNumber) => ({
    table: table.name,
    score: round(final.get(table.name)!),
    columns: table.columns
      .map((column, columnNumber) => ({
        name: column.name,
        score: round(columnScores.get(`${tableNumber}.${columnNumber}`) ?? 0),
      }))
      .sort((a, b) => b.score - a.score),
  }));
  ranked.sort((a, b) => b.score - a.score || compareText(a.table, b.table));
  return ranked.slice(0, options.limit ?? ranked.length);
}

/**
 * Foreign-key edges in both directions, without self-references and duplicates. Declared keys, plus
 * `<Table>Id` / `<table>_id` columns naming another table when the column declares nothing.
 */
export function joinEdges(schema: DatabaseSchema): Array<[string, string]> {
  const edges = new Map<string, [string, string]>();
  const add = (a: string, b: string): void => {
    if (a === b) return;
    edges.set(JSON.stringify([a, b]), [a, b]);
    edges.set(JSON.stringify([b, a]), [b, a]);
  };
  for (const table of schema.tables) {
    for (const column of table.columns) {
      const target = column.references?.table ?? inferredReference(schema, table, column)?.table;
      if (target !== undefined && schema.tables.some((other) => other.name === target))
        add(table.name, target);
    }
  }
  return [...edges.values()].sort((a, b) => compareText(a[0], b[0]) || compareText(a[1], b[1]));
}

/** The table a `CustomerId`-style column probably points at, when it declares no foreign key. */
export function inferredReference(
  schema: DatabaseSchema,
  table: TableInfo,
  column: ColumnInfo,
): { table: string; column: string } | undefined {
  if (column.references) return undefined;
  const match = /^(.+?)_?id$/i.exec(column.name);
  if (!match?.[1]) return undefined;
  const wanted = termsOf(match[1]).join(' ');
  const target = schema.tables.find((other) => other !== table && termsOf(other.name).join(' ') === wanted);
  const key = target?.columns.find((candidate) => candidate.primaryKey);
  return target && key ? { table: target.name, column: key.name } : undefined;
}

function scaleToBest(scores: Map<string, number>): Map<string, number> {
  const best = Math.max(0, ...scores.values());
  return new Map([...scores].map(([name, score]) => [name, best > 0 ? score / best : 0]));
}

function minMax(scores: Map<string, number>, names: readonly string[]): Map<string, number> {
  const finite = (name: string): number | undefined => {
    const score = scores.get(name);
    return score !== undefined && Number.isFinite(score) ? score : undefined;
  };
  const known = names.map(finite).filter((score) => score !== undefined);
  const low = Math.min(...known);
  const high = Math.max(...known);
  return new Map(
    names.map((name) => {
      const score = finite(name) ?? low;
      return [name, known.length > 0 && high > low ? (score - low) / (high - low) : 0];
    }),
  );
}

const round = (value: number): number => Math.round(value * 1e6) / 1e6;

/** Code-unit order: the same on every machine, unlike `localeCompare`. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface FormatSchemaOptions {
  /** How many of the ranked tables to show. Default 5. */
  maxTables?: number;
  /** Sample values shown per column. Default 3. */
  maxSamples?: number;
}

/**
 * The top ranked tables as compact CREATE TABLE text for the model's prompt: types, NOT NULL, keys,
 * foreign-key targets (inferred ones marked as likely), comments, row counts and a few sample values.
 * Deterministic: the same schema and ranking always give the same text, so prompts cache and replay.
 */
export function formatSchemaForPrompt(
  schema: DatabaseSchema,
  ranked: readonly RankedTable[],
  options: FormatSchemaOptions = {},
): string {
  const { maxTables = 5, maxSamples = 3 } = options;
  const blocks: string[] = [];
  for (const entry of ranked) {
    if (blocks.length >= maxTables) break;
    const table = schema.tables.find((candidate) => candidate.name === entry.table);
    if (table) blocks.push(formatTable(schema, table, maxSamples));
  }
  return blocks.join('\n\n');
}

function formatTable(schema: DatabaseSchema, table: TableInfo, maxSamples: number): string {
  const keys = table.columns.filter((column) => column.primaryKey);
  const lines = table.columns.map((column) => {
    const parts = [quoteIdentifier(column.name), column.type || 'ANY'];
    if (!column.nullable && !column.primaryKey) parts.push('NOT NULL');
    if (column.primaryKey && keys.length === 1) parts.push('PRIMARY KEY');
    const notes: string[] = [];
    const inferred = inferredReference(schema, table, column);
    if (column.references) {
      parts.push(
        `REFERENCES ${quoteIdentifier(column.references.table)}(${quoteIdentifier(column.references.column)})`,
      );
    } else if (inferred) {
      notes.push(`likely references ${quoteIdentifier(inferred.table)}(${quoteIdentifier(inferred.column)})`);
    }
    if (column.comment) notes.push(oneLine(column.comment));
    const samples = column.samples.slice(0, maxSamples).map(formatSample);
    if (samples.length > 0) notes.push(`e.g. ${samples.join(', ')}`);
    return { definition: parts.join(' '), note: notes.join('; ') };
  });
  if (keys.length > 1) {
    lines.push({
      definition: `PRIMARY KEY (${keys.map((key) => quoteIdentifier(key.name)).join(', ')})`,
      note: '',
    });
  }
  const body = lines.map(({ definition, note }, index) => {
    const comma = index < lines.length - 1 ? ',' : '';
    return `  ${definition}${comma}${note ? ` -- ${note}` : ''}`;
  });
  const header = [`${table.rowCount} rows`, table.comment ? oneLine(table.comment) : '']
    .filter(Boolean)
    .join('; ');
  return [`CREATE TABLE ${quoteIdentifier(table.name)} ( -- ${header}`, ...body, ');'].join('\n');
}

const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

function formatSample(value: string): string {
  const text = oneLine(value);
  const short = text.length > 40 ? `${text.slice(0, 39)}…` : text;
  return /^-?\d+(\.\d+)?$/.test(short) ? short : `'${short.replaceAll("'", "''")}'`;
}
