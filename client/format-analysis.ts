import type { AnalysisResult, AnalysisProgress } from '../common/analysis.js';
import { formatModelMoves, formatTotals } from './format-agent.js';

const phaseLabels: Record<AnalysisProgress['phase'], string> = {
  listing: 'listing documents',
  extracting: 'extracting',
  identifying: 'identifying',
  writing: 'writing sections',
  reporting: 'writing the report',
  done: 'done',
};

/**
 * One line of progress: a bar of documents done, then chunks (of the documents started so far),
 * tokens, cost and the step the run is in. `width` is the bar's width in characters.
 */
export function formatAnalysisProgress(progress: AnalysisProgress, width = 24): string {
  const share = progress.documents === 0 ? 0 : progress.documentsDone / progress.documents;
  const filled = Math.round(share * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  return (
    `${bar} ${progress.documentsDone}/${progress.documents} documents · ` +
    `chunks ${progress.chunksDone}/${progress.chunks} · ` +
    `${progress.totals.totalTokens.toLocaleString('en-US')} tokens · $${progress.totals.costUsd.toFixed(4)} · ` +
    phaseLabels[progress.phase]
  );
}

/** What a finished run says: where the report is, what was analyzed, what was not and why. */
export function formatAnalysisResult(result: AnalysisResult): string {
  const count = (status: string): number =>
    result.documents.filter((document) => document.status === status).length;
  const chunks = result.documents.reduce((sum, document) => sum + document.chunks, 0);
  const chunksAnalyzed = result.documents.reduce((sum, document) => sum + document.chunksAnalyzed, 0);
  const lines = [
    `Report: ${result.report.folder}`,
    `  ${result.report.files.markdown}`,
    `  ${result.report.files.html}`,
    `  ${result.report.files.json}`,
    `Documents: ${result.documents.length} (${count('analyzed')} analyzed, ${count('partial')} partly, ` +
      `${count('failed')} failed, ${count('skipped')} skipped); chunks ${chunksAnalyzed}/${chunks}`,
    `Findings: ${result.findings}; invented quotes dropped: ${result.hallucinatedQuotes}`,
    `Spent: ${formatTotals(result.totals)} in ${result.totals.modelCalls} model calls`,
  ];
  lines.push(...formatModelMoves(result, 'model call'));
  if (result.stop) lines.push(`Stopped early: ${result.stop.stopReason}: ${result.stop.detail}`);
  if (result.notAnalyzed.length > 0) {
    lines.push(`Not analyzed (${result.notAnalyzed.length}):`);
    for (const item of result.notAnalyzed.slice(0, 10))
      lines.push(
        `  - ${item.document}${item.chunk !== undefined ? ` chunk ${item.chunk + 1}` : ''}: ${item.reason}`,
      );
    if (result.notAnalyzed.length > 10)
      lines.push(`  ... ${result.notAnalyzed.length - 10} more in the report`);
  }
  return lines.join('\n');
}
