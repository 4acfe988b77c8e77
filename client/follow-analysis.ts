import type { Client, WorkflowHandle } from '@temporalio/client';
import type { AnalysisResult } from '../common/analysis.js';
import type { analyzeCorpusWorkflow } from '../workflows/analysis.js';
import { formatAnalysisProgress } from './format-analysis.js';
import { analysisProgress } from './llmos-client.js';

/**
 * Waits for an analysis run while showing its progress on stderr: one line redrawn in place on a
 * terminal, otherwise a line whenever it changes (at most every few seconds). Ctrl-C stops
 * watching, not the run.
 */
export async function followAnalysis(
  client: Client,
  handle: WorkflowHandle<typeof analyzeCorpusWorkflow>,
): Promise<AnalysisResult> {
  const terminal = process.stderr.isTTY;
  let written = '';
  let writtenAt = 0;
  let busy = false;
  const show = async (final = false): Promise<void> => {
    if (busy && !final) return;
    busy = true;
    let line: string;
    try {
      line = formatAnalysisProgress(await analysisProgress(client, handle));
    } catch {
      return; // Not answering yet (no worker has picked it up): nothing new to show.
    } finally {
      busy = false;
    }
    if (terminal) process.stderr.write(`\r${line}\u001b[K${final ? '\n' : ''}`);
    else if (line !== written && (final || Date.now() - writtenAt >= 2_000)) {
      process.stderr.write(`${line}\n`);
      [written, writtenAt] = [line, Date.now()];
    }
  };
  const onInterrupt = (): void => {
    process.stderr.write(
      `\nStopped watching. The run goes on; see it with: npx llmos status ${handle.workflowId}\n`,
    );
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  const timer = setInterval(() => void show(), terminal ? 250 : 1_000);
  try {
    const result = await handle.result();
    await show(true);
    return result;
  } finally {
    clearInterval(timer);
    process.off('SIGINT', onInterrupt);
  }
}
