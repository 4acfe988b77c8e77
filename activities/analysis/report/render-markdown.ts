/**
 * The report as Markdown (GitHub-flavoured tables). Pure: same report, same text.
 */
import type { AnalysisReport, Citation, FieldValue } from '../../../common/analysis-report.js';
import {
  citationSource,
  everythingAnalyzed,
  findingsByKind,
  formatValue,
  humanize,
  notAnalyzedLabel,
  oneLine,
  orderedComparisons,
  orderedFields,
  orderedSections,
  runFacts,
} from './report-format.js';

/** A table cell: one line, with backslashes and pipes escaped so the text cannot end the cell. */
export function markdownCell(text: string): string {
  return oneLine(text).replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}

function cellCitations(citations: Citation[], rowDocument?: string): string {
  if (citations.length === 0) return '';
  return citations
    .map((citation) => `"${citation.quote}" (${citationSource(citation, citation.document !== rowDocument)})`)
    .map(markdownCell)
    .join('; ');
}

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

/** Headings inside an OUTPUT section sit below the section's own `##` heading. */
function demoteHeadings(markdown: string): string {
  return markdown.replace(/^(#{1,6})(?=\s)/gm, (hashes) => '#'.repeat(Math.min(6, hashes.length + 2)));
}

function sections(report: AnalysisReport): string[] {
  return orderedSections(report).flatMap(([name, markdown]) => [
    `## ${humanize(name)}`,
    '',
    markdown === undefined ? '_Not produced._' : demoteHeadings(markdown.trim()),
    '',
  ]);
}

function comparisons(report: AnalysisReport): string[] {
  const all = orderedComparisons(report);
  if (all.length === 0) return [];
  return [
    '## Comparisons',
    '',
    ...all.flatMap((comparison) => [
      `### ${oneLine(humanize(comparison.field))}${comparison.consistent ? '' : ' (inconsistent)'}`,
      '',
      ...(comparison.summary ? [oneLine(comparison.summary), ''] : []),
      ...table(
        ['Document', 'Value', 'Citation'],
        comparison.rows.map((row) => [
          markdownCell(row.document),
          markdownCell(formatValue(row.value)),
          cellCitations(row.citations, row.document),
        ]),
      ),
      '',
    ]),
  ];
}

function blockquote(citation: Citation): string {
  return `> "${oneLine(citation.quote)}" — ${oneLine(citationSource(citation))}`;
}

function findings(report: AnalysisReport): string[] {
  const groups = findingsByKind(report);
  if (groups.length === 0) return ['## Findings', '', 'No findings.', ''];
  return [
    '## Findings',
    '',
    ...groups.flatMap(([kind, items]) => [
      `### ${oneLine(humanize(kind))}`,
      '',
      ...items.flatMap((finding) => [
        `#### [${finding.severity.toUpperCase()}] ${oneLine(finding.title)}`,
        '',
        ...(finding.detail.trim() ? [finding.detail.trim(), ''] : []),
        ...finding.citations.flatMap((citation) => [blockquote(citation), '']),
      ]),
    ]),
  ];
}

function documentFields(report: AnalysisReport): string[] {
  return [
    '## Documents',
    '',
    ...report.documents.flatMap((document) => {
      const names = orderedFields(report, document.fields);
      const reason = document.reason ? `: ${oneLine(document.reason)}` : '';
      return [
        `### ${oneLine(document.name)}`,
        '',
        `\`${document.id.replace(/`/g, "'")}\` — ${document.status}${reason}; ` +
          `${document.chunksAnalyzed} of ${document.chunks} chunks analyzed.`,
        '',
        ...(names.length === 0
          ? ['No fields extracted.']
          : table(
              ['Field', 'Value', 'Citation'],
              names.map((name) => {
                const field = document.fields[name] as FieldValue;
                return [
                  markdownCell(humanize(name)),
                  markdownCell(formatValue(field.value)),
                  cellCitations(field.citations, document.id),
                ];
              }),
            )),
        '',
      ];
    }),
  ];
}

function notAnalyzed(report: AnalysisReport): string[] {
  const items = report.notAnalyzed.map(
    (item) => `- ${oneLine(notAnalyzedLabel(item))}: ${oneLine(item.reason)}`,
  );
  return ['## Not analyzed', '', ...(items.length === 0 ? [everythingAnalyzed] : items), ''];
}

export function renderMarkdown(report: AnalysisReport): string {
  const lines = [
    `# ${oneLine(report.title)}`,
    '',
    `Spec: ${oneLine(report.spec.name)}`,
    '',
    '## Run',
    '',
    ...runFacts(report).map(([label, value]) => `- ${label}: ${oneLine(value)}`),
    '',
    ...sections(report),
    ...comparisons(report),
    ...findings(report),
    ...documentFields(report),
    ...notAnalyzed(report),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
