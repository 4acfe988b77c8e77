/**
 * The report as one standalone HTML page: inline CSS, no scripts, no external resources, so it opens
 * offline and prints. Document text and model output are untrusted: every string is escaped, and a
 * Content-Security-Policy forbids scripts even if something slipped through.
 */
import type { AnalysisReport, Citation, FieldValue } from '../../../common/analysis-report.js';
import { escapeHtml as e } from './html-escape.js';
import {
  citationSource,
  everythingAnalyzed,
  findingsByKind,
  formatValue,
  humanize,
  notAnalyzedLabel,
  orderedComparisons,
  orderedFields,
  orderedSections,
  runFacts,
} from './report-format.js';
import { reportStyle } from './report-style.js';
import { safeMarkdownToHtml } from './safe-markdown-html.js';

function valueCell(value: FieldValue['value']): string {
  return value === null ? `<span class="missing">${e(formatValue(value))}</span>` : e(formatValue(value));
}

function citationsCell(citations: Citation[], rowDocument: string): string {
  return citations
    .map(
      (citation) =>
        `<q>${e(citation.quote)}</q> <span class="source">(${e(citationSource(citation, citation.document !== rowDocument))})</span>`,
    )
    .join('<br>');
}

function table(header: string[], rows: string[][]): string {
  const head = `<tr>${header.map((cell) => `<th>${e(cell)}</th>`).join('')}</tr>`;
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function sections(report: AnalysisReport): string[] {
  return orderedSections(report).map(
    ([name, markdown]) =>
      `<section>\n<h2>${e(humanize(name))}</h2>\n` +
      (markdown === undefined ? '<p class="missing">Not produced.</p>' : safeMarkdownToHtml(markdown, 2)) +
      '\n</section>',
  );
}

function comparisons(report: AnalysisReport): string[] {
  const all = orderedComparisons(report);
  if (all.length === 0) return [];
  const tables = all.map((comparison) => {
    const status = comparison.consistent
      ? '<span class="consistent">consistent</span>'
      : '<span class="inconsistent">inconsistent</span>';
    const rows = comparison.rows.map((row) => [
      e(row.document),
      valueCell(row.value),
      citationsCell(row.citations, row.document),
    ]);
    return (
      `<h3>${e(humanize(comparison.field))} — ${status}</h3>\n` +
      (comparison.summary ? `<p>${e(comparison.summary)}</p>\n` : '') +
      table(['Document', 'Value', 'Citation'], rows)
    );
  });
  return [`<section>\n<h2>Comparisons</h2>\n${tables.join('\n')}\n</section>`];
}

function findings(report: AnalysisReport): string[] {
  const groups = findingsByKind(report).map(([kind, items]) => {
    const rendered = items.map(
      (finding) =>
        `<div class="finding">\n<h4><span class="badge ${finding.severity}">${finding.severity.toUpperCase()}</span>${e(finding.title)}</h4>\n` +
        (finding.detail.trim() ? `<p>${e(finding.detail.trim())}</p>\n` : '') +
        finding.citations
          .map(
            (citation) =>
              `<blockquote>“${e(citation.quote)}” <span class="source">— ${e(citationSource(citation))}</span></blockquote>\n`,
          )
          .join('') +
        '</div>',
    );
    return `<h3>${e(humanize(kind))}</h3>\n${rendered.join('\n')}`;
  });
  const body = groups.length === 0 ? '<p>No findings.</p>' : groups.join('\n');
  return [`<section>\n<h2>Findings</h2>\n${body}\n</section>`];
}

function documents(report: AnalysisReport): string[] {
  const rendered = report.documents.map((document) => {
    const names = orderedFields(report, document.fields);
    const reason = document.reason ? `: ${e(document.reason)}` : '';
    const rows = names.map((name) => {
      const field = document.fields[name] as FieldValue;
      return [e(humanize(name)), valueCell(field.value), citationsCell(field.citations, document.id)];
    });
    return (
      `<h3>${e(document.name)}</h3>\n` +
      `<p><code>${e(document.id)}</code> — ${e(document.status)}${reason}; ` +
      `${document.chunksAnalyzed} of ${document.chunks} chunks analyzed.</p>\n` +
      (rows.length === 0 ? '<p>No fields extracted.</p>' : table(['Field', 'Value', 'Citation'], rows))
    );
  });
  return [`<section>\n<h2>Documents</h2>\n${rendered.join('\n')}\n</section>`];
}

function notAnalyzed(report: AnalysisReport): string {
  const body =
    report.notAnalyzed.length === 0
      ? `<p>${everythingAnalyzed}</p>`
      : `<ul>\n${report.notAnalyzed
          .map((item) => `<li><strong>${e(notAnalyzedLabel(item))}</strong>: ${e(item.reason)}</li>`)
          .join('\n')}\n</ul>`;
  return `<section>\n<h2>Not analyzed</h2>\n${body}\n</section>`;
}

export function renderHtml(report: AnalysisReport): string {
  const facts = runFacts(report)
    .map(([label, value]) => `<dt>${e(label)}</dt><dd>${e(value)}</dd>`)
    .join('\n');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // No scripts, no fetches: only the inline stylesheet below may apply.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(report.title)}</title>`,
    `<style>${reportStyle}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${e(report.title)}</h1>`,
    `<p class="subtitle">Spec: ${e(report.spec.name)}</p>`,
    '</header>',
    '<section>\n<h2>Run</h2>',
    `<dl class="facts">\n${facts}\n</dl>`,
    '</section>',
    ...sections(report),
    ...comparisons(report),
    ...findings(report),
    ...documents(report),
    notAnalyzed(report),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
