/**
 * Plain-text pieces shared by the Markdown and HTML writers, so both show the same facts in the same
 * order. Nothing here escapes: each writer escapes for its own format.
 */
import type { AnalysisReport, Citation, Comparison, Finding } from '../../../common/analysis-report.js';

const severityRank: Record<Finding['severity'], number> = { high: 0, medium: 1, low: 2 };

/** `executive_summary` -> `Executive summary`. */
export function humanize(name: string): string {
  const words = name.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** One line: model text may carry newlines where a heading, a cell or a quote cannot. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function formatValue(value: Comparison['rows'][number]['value']): string {
  if (value === null) return '(not found)';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
  return String(value);
}

export function citationSource(citation: Citation, withDocument = true): string {
  const where = `offset ${citation.offset}`;
  return withDocument ? `${citation.document}, ${where}` : where;
}

export function runFacts(report: AnalysisReport): Array<[label: string, value: string]> {
  const { stats } = report;
  return [
    ['Model', report.model],
    ['Generated', report.generatedAt],
    ['Documents', String(stats.documents)],
    ['Chunks analyzed', `${stats.chunksAnalyzed} of ${stats.chunks}`],
    ['Hallucinated quotes dropped', String(stats.hallucinatedQuotes)],
    ['Tokens', stats.totalTokens.toLocaleString('en-US')],
    ['Cost', `$${stats.costUsd.toFixed(4)}`],
  ];
}

/** Names in `preferred` order first, then any others in the order first seen. */
function orderBy(names: readonly string[], preferred: readonly string[]): string[] {
  const present = new Set(names);
  const ordered = preferred.filter((name) => present.has(name));
  for (const name of names) if (!ordered.includes(name)) ordered.push(name);
  return ordered;
}

/** The OUTPUT sections in spec order; a spec section the run did not produce maps to undefined. */
export function orderedSections(report: AnalysisReport): Array<[name: string, markdown: string | undefined]> {
  return orderBy([...report.spec.output, ...Object.keys(report.sections)], report.spec.output).map((name) => [
    name,
    Object.hasOwn(report.sections, name) ? report.sections[name] : undefined,
  ]);
}

export function orderedComparisons(report: AnalysisReport): Comparison[] {
  const fields = orderBy(
    report.comparisons.map((comparison) => comparison.field),
    report.spec.compare,
  );
  return fields.flatMap((field) => report.comparisons.filter((comparison) => comparison.field === field));
}

/** Findings grouped by kind (IDENTIFY order), each group high severity first, stable otherwise. */
export function findingsByKind(report: AnalysisReport): Array<[kind: string, findings: Finding[]]> {
  const kinds = orderBy(
    report.findings.map((finding) => finding.kind),
    report.spec.identify,
  ).filter((kind) => report.findings.some((finding) => finding.kind === kind));
  return kinds.map((kind) => [
    kind,
    report.findings
      .filter((finding) => finding.kind === kind)
      .sort((a, b) => severityRank[a.severity] - severityRank[b.severity]),
  ]);
}

/** A document's fields in EXTRACT order, then any others. */
export function orderedFields(report: AnalysisReport, fields: Record<string, unknown>): string[] {
  return orderBy(Object.keys(fields), report.spec.extract).filter((name) => Object.hasOwn(fields, name));
}

export function notAnalyzedLabel(item: AnalysisReport['notAnalyzed'][number]): string {
  return item.chunk === undefined ? item.document : `${item.document}, chunk ${item.chunk}`;
}

export const everythingAnalyzed = 'Everything was analyzed.';
