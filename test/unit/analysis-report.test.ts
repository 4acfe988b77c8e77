import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { AnalysisReport } from '../../common/analysis-report.js';
import { renderHtml } from '../../activities/analysis/report/render-html.js';
import { renderJson } from '../../activities/analysis/report/render-json.js';
import { renderMarkdown } from '../../activities/analysis/report/render-markdown.js';
import { AnalysisReportSchema } from '../../activities/analysis/report/report-schema.js';
import { safeMarkdownToHtml } from '../../activities/analysis/report/safe-markdown-html.js';
import { writeReport } from '../../activities/analysis/report/write-report.js';

const fixture = new URL('../fixtures/analysis/sample-report.json', import.meta.url);
const sample: AnalysisReport = AnalysisReportSchema.parse(JSON.parse(await readFile(fixture, 'utf8')));
const copy = (): AnalysisReport => structuredClone(sample);
const injection = '<script>alert(1)</script>';

/** The report with an injected script in a quote, a finding and an OUTPUT section. */
function injected(): AnalysisReport {
  const report = copy();
  const finding = report.findings[0]!;
  finding.title = `Bad clause ${injection}`;
  finding.detail = `See ${injection} and <img src=x onerror=alert(2)>`;
  finding.citations[0]!.quote = `quoted ${injection}`;
  report.sections.executive_summary = `${injection}\n\n- [click](javascript:alert(3)) <b>bold</b>`;
  return report;
}

void describe('analysis report: Markdown', () => {
  const markdown = renderMarkdown(sample);

  void it('has the title, run facts and every section in order', () => {
    assert.ok(markdown.startsWith('# Supplier contract review\n'));
    const headings = markdown.split('\n').filter((line) => line.startsWith('## '));
    assert.deepEqual(headings, [
      '## Run',
      '## Executive summary',
      '## Recommendations',
      '## Comparisons',
      '## Findings',
      '## Documents',
      '## Not analyzed',
    ]);
    for (const fact of [
      '- Model: openai:gpt-4.1-mini',
      '- Documents: 3',
      '- Chunks analyzed: 12 of 13',
      '- Hallucinated quotes dropped: 2',
      '- Tokens: 48,210',
      '- Cost: $0.0583',
    ]) {
      assert.ok(markdown.includes(`${fact}\n`), fact);
    }
    // A heading inside a section nests below the section heading.
    assert.ok(markdown.includes('\n#### Before renewal\n'));
  });

  void it('has one table per COMPARE field, marking the inconsistent ones', () => {
    assert.ok(markdown.includes('### Governing law (inconsistent)\n'));
    assert.ok(markdown.includes('### Payment terms\n'));
    assert.ok(markdown.includes('### Liability cap (inconsistent)\n'));
    assert.equal(markdown.split('| Document | Value | Citation |').length - 1, 3);
    assert.ok(
      markdown.includes(
        '| contracts/globex-supply.md | State of Delaware | "This Agreement shall be governed by and construed under the laws of the State of Delaware." (offset 6630) |',
      ),
    );
    assert.ok(markdown.includes('| contracts/globex-supply.md | (not found) |  |'));
  });

  void it('groups findings by kind, high severity first, with quotes as blockquotes', () => {
    const order = [
      '### Risks',
      '[HIGH] Automatic renewal',
      '[MEDIUM] Uncapped',
      '[LOW] Late-payment',
      '### Inconsistencies',
    ];
    const positions = order.map((text) => markdown.indexOf(text));
    assert.ok(positions.every((position) => position > 0));
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
    );
    assert.ok(
      markdown.includes(
        '> "overdue amounts bear interest at one and a half percent (1.5%) per month" — contracts/initech-services.pdf, offset 5230\n',
      ),
    );
  });

  void it('lists each document with its extracted fields and what was not analyzed', () => {
    assert.ok(markdown.includes('### initech-services.pdf\n'));
    assert.ok(markdown.includes('`contracts/initech-services.pdf` — partial: chunk 5 could not be analyzed'));
    assert.ok(markdown.includes('| Term months | 36 |'));
    assert.ok(markdown.includes('| Parties | Northwind Traders Ltd, Globex Corporation |'));
    assert.ok(
      markdown.endsWith(
        '## Not analyzed\n\n- contracts/initech-services.pdf, chunk 5: model output invalid after 3 attempts\n',
      ),
    );
  });

  void it('escapes pipes and newlines in table cells', () => {
    const report = copy();
    const row = report.comparisons[1]!.rows[0]!;
    row.value = 'Net 30 | monthly\ninvoicing';
    row.citations[0]!.quote = 'pay | within\n30 days';
    const text = renderMarkdown(report);
    assert.ok(
      text.includes(
        '| contracts/acme-msa.md | Net 30 \\| monthly invoicing | "pay \\| within 30 days" (offset 4410) |',
      ),
    );
  });

  void it('says everything was analyzed when nothing was left out', () => {
    const text = renderMarkdown({ ...copy(), notAnalyzed: [] });
    assert.ok(text.endsWith('## Not analyzed\n\nEverything was analyzed.\n'));
  });
});

void describe('analysis report: HTML', () => {
  const html = renderHtml(sample);

  void it('is one standalone page with no scripts or external resources', () => {
    assert.ok(html.startsWith('<!doctype html>\n'));
    assert.match(html, /<style>[^]*<\/style>/);
    assert.ok(html.includes("default-src 'none'"));
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /https?:/i);
    assert.doesNotMatch(html, /\s(src|href)=/i);
    assert.doesNotMatch(html, /<(link|img|iframe|object)\b/i);
  });

  void it('contains every comparison table, the findings and the not-analyzed chunk', () => {
    assert.equal(html.split('<th>Document</th><th>Value</th><th>Citation</th>').length - 1, 3);
    for (const field of ['Governing law', 'Payment terms', 'Liability cap'])
      assert.ok(html.includes(`<h3>${field} — `));
    assert.ok(html.includes('<h3>Governing law — <span class="inconsistent">inconsistent</span></h3>'));
    assert.ok(html.includes('<td>State of Delaware</td>'));
    assert.ok(html.includes('<span class="badge high">HIGH</span>Automatic renewal without notice window'));
    assert.ok(
      html.includes('<li><strong>contracts/initech-services.pdf, chunk 5</strong>: model output invalid'),
    );
    assert.ok(html.includes('<dt>Tokens</dt><dd>48,210</dd>'));
  });

  void it('renders the OUTPUT sections with the small Markdown subset', () => {
    assert.ok(html.includes('aligned at <strong>Net 30</strong>'));
    assert.ok(html.includes('<ul><li>Acme: 36 months, auto-renews</li>'));
    assert.ok(html.includes('<h4>Before renewal</h4>'));
  });

  void it('makes an injected script in a quote, a finding and a section inert', () => {
    const page = renderHtml(injected());
    assert.doesNotMatch(page, /<script/i);
    assert.doesNotMatch(page, /<img/i);
    assert.doesNotMatch(page, /<b>/);
    assert.ok(page.includes('Bad clause &lt;script&gt;alert(1)&lt;/script&gt;</h4>'));
    assert.ok(page.includes('“quoted &lt;script&gt;alert(1)&lt;/script&gt;”'));
    assert.ok(page.includes('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'));
    assert.ok(page.includes('<li>[click](javascript:alert(3)) &lt;b&gt;bold&lt;/b&gt;</li>'));
  });

  void it('never turns Markdown into anything but the safe subset', () => {
    assert.equal(
      safeMarkdownToHtml('# Title\nsome **bold "x"** text\n- one\n- two\n\n![img](http://x/y.png)'),
      '<h1>Title</h1>\n<p>some <strong>bold &quot;x&quot;</strong> text</p>\n<ul><li>one</li><li>two</li></ul>\n<p>![img](http://x/y.png)</p>',
    );
  });

  void it('says everything was analyzed when nothing was left out', () => {
    assert.ok(
      renderHtml({ ...copy(), notAnalyzed: [] }).includes(
        '<h2>Not analyzed</h2>\n<p>Everything was analyzed.</p>',
      ),
    );
  });
});

void describe('analysis report: JSON', () => {
  void it('round-trips through the schema', () => {
    const json = renderJson(sample);
    assert.ok(json.startsWith('{\n  "title": "Supplier contract review",'));
    assert.deepEqual(AnalysisReportSchema.parse(JSON.parse(json)), sample);
  });

  void it('is stable whatever the key order of the input', () => {
    const shuffled = JSON.parse(JSON.stringify(sample), function (this: unknown, _key, value: unknown) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      return Object.fromEntries(Object.entries(value).reverse());
    }) as AnalysisReport;
    assert.equal(renderJson(shuffled), renderJson(sample));
  });

  void it('rejects a report that breaks the contract', () => {
    const report = copy();
    (report.findings[0] as { severity: string }).severity = 'critical';
    assert.throws(() => renderJson(report), /severity/);
  });
});

void describe('analysis report: writeReport', () => {
  const directories: string[] = [];
  after(async () => {
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  void it('writes the three files into a folder named after the spec and time, idempotently', async () => {
    const output = await mkdtemp(path.join(tmpdir(), 'llmos-report-'));
    directories.push(output);
    const written = await writeReport(sample, output);
    const folder = path.join(output, 'contract-review-2025-03-14T09-26-53Z');
    assert.deepEqual(written, {
      folder,
      files: {
        markdown: path.join(folder, 'report.md'),
        json: path.join(folder, 'report.json'),
        html: path.join(folder, 'report.html'),
      },
    });
    assert.equal(await readFile(written.files.markdown, 'utf8'), renderMarkdown(sample));
    assert.equal(await readFile(written.files.json, 'utf8'), renderJson(sample));
    assert.equal(await readFile(written.files.html, 'utf8'), renderHtml(sample));
    // A retry lands on the same files and leaves no temp files behind.
    assert.deepEqual(await writeReport(sample, output), written);
    assert.deepEqual((await readdir(folder)).sort(), ['report.html', 'report.json', 'report.md']);
  });

  void it('writes nothing for an invalid report', async () => {
    const output = await mkdtemp(path.join(tmpdir(), 'llmos-report-'));
    directories.push(output);
    const report = copy();
    report.stats.chunks = -1;
    await assert.rejects(writeReport(report, output));
    assert.deepEqual(await readdir(output), []);
  });
});
