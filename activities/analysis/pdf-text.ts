import { createRequire } from 'node:module';
import path from 'node:path';
import type { TextItem } from 'pdfjs-dist/types/src/display/api.js';

/** pdf.js's character maps, for fonts that need them (CJK); read from disk, never fetched. */
const pdfjsDirectory = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const cMapUrl = `${path.join(pdfjsDirectory, 'cmaps')}${path.sep}`;
const standardFontDataUrl = `${path.join(pdfjsDirectory, 'standard_fonts')}${path.sep}`;

export type PdfText = { text: string; pages: number };

/**
 * The text of a PDF, page by page. pdf.js gives positioned text runs, not lines: runs are grouped
 * into lines by their baseline (within half the font size, so a superscript "th" stays on its
 * line), ordered left to right, and joined with a space where the gap between them is wider than a
 * fifth of the font size. Pages are separated by a blank line. Scanned pages without a text layer
 * give no text (there is no OCR here). pdf.js is loaded on the first PDF, not when the worker starts.
 */
export async function extractPdfText(data: Uint8Array): Promise<PdfText> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const loading = getDocument({
    data,
    cMapUrl,
    cMapPacked: true,
    standardFontDataUrl,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
  });
  const document = await loading.promise;
  try {
    const pages: string[] = [];
    for (let number = 1; number <= document.numPages; number += 1) {
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      const items = content.items.filter((item): item is TextItem => 'str' in item);
      pages.push(linesOf(items).join('\n'));
      page.cleanup();
    }
    return { text: pages.join('\n\n'), pages: document.numPages };
  } finally {
    await loading.destroy();
  }
}

type Run = { text: string; x: number; y: number; width: number; size: number };

function linesOf(items: readonly TextItem[]): string[] {
  const runs: Run[] = items
    .filter((item) => item.str.length > 0)
    .map((item) => {
      const [a = 0, b = 0, , , x = 0, y = 0] = item.transform as number[];
      return { text: item.str, x, y, width: item.width, size: Math.hypot(a, b) || item.height || 1 };
    })
    // Top of the page first (PDF y grows upwards), then left to right.
    .sort((left, right) => right.y - left.y || left.x - right.x);

  const lines: Run[][] = [];
  for (const run of runs) {
    const line = lines.at(-1);
    const first = line?.[0];
    if (line && first && Math.abs(first.y - run.y) <= Math.max(first.size, run.size) / 2) line.push(run);
    else lines.push([run]);
  }
  return lines.map((line) => joinRuns(line.sort((left, right) => left.x - right.x)));
}

function joinRuns(line: readonly Run[]): string {
  let text = '';
  let previous: Run | undefined;
  for (const run of line) {
    if (previous) {
      const gap = run.x - (previous.x + previous.width);
      const spaced = /\s$/.test(text) || /^\s/.test(run.text);
      if (!spaced && gap > Math.min(previous.size, run.size) / 5) text += ' ';
    }
    text += run.text;
    previous = run;
  }
  return text.trimEnd();
}
