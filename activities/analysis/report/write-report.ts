/**
 * Writes a report as `report.md`, `report.json` and `report.html` into its own folder.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AnalysisReport } from '../../../common/analysis-report.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';

export interface WrittenReport {
  /** Absolute path of the report's folder. */
  folder: string;
  files: { markdown: string; json: string; html: string };
}

/** `<spec name>-<generatedAt>` made file-name safe: `contract-review-2025-03-14T09-26-53Z`. */
export function reportFolderName(report: Pick<AnalysisReport, 'spec' | 'generatedAt'>): string {
  const time = new Date(report.generatedAt);
  if (Number.isNaN(time.getTime())) throw new Error(`generatedAt is not a date: ${report.generatedAt}`);
  const stamp = time
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
  const slug = report.spec.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${slug || 'analysis'}-${stamp}`;
}

/** Temp file then rename in the same folder, so a reader never sees a half-written report. */
async function writeAtomically(file: string, content: string): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, content, 'utf8');
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Renders all three formats first (the JSON render validates the report, so an invalid report
 * writes nothing), then writes them. The folder name depends only on the report's spec name and
 * generatedAt, so a retried activity overwrites the same files: idempotent. Only the returned
 * paths, not the report text, need to land in workflow history.
 */
export async function writeReport(report: AnalysisReport, outputFolder: string): Promise<WrittenReport> {
  const contents = { json: renderJson(report), markdown: renderMarkdown(report), html: renderHtml(report) };
  const folder = path.resolve(outputFolder, reportFolderName(report));
  await mkdir(folder, { recursive: true });
  const files = {
    markdown: path.join(folder, 'report.md'),
    json: path.join(folder, 'report.json'),
    html: path.join(folder, 'report.html'),
  };
  await Promise.all([
    writeAtomically(files.markdown, contents.markdown),
    writeAtomically(files.json, contents.json),
    writeAtomically(files.html, contents.html),
  ]);
  return { folder, files };
}
