import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { normalizeText } from './normalize-text.js';
import { extractPdfText } from './pdf-text.js';

export type DocumentFormat = 'text' | 'markdown' | 'pdf' | 'html';

export type IngestedDocument = {
  /** Stable id in the run: the path relative to the folder it was listed from, or the file name. */
  id: string;
  name: string;
  format: DocumentFormat;
  /** Normalized (`normalizeText`): every offset in chunks and citations points into this text. */
  text: string;
  /** PDFs only. */
  pages?: number;
};

/** A file to ingest and the id it gets. */
export type DocumentSource = { file: string; id: string };

const formatByExtension: Readonly<Record<string, DocumentFormat>> = {
  '.txt': 'text',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.pdf': 'pdf',
  '.html': 'html',
  '.htm': 'html',
};

/** What a reader sees of a page: headings and paragraphs as lines and blocks, no markup, scripts, links' targets or images. */
const htmlToTextOptions = {
  wordwrap: false as const,
  selectors: [
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
  ],
};

export const supportedExtensions = Object.keys(formatByExtension);

export function documentFormat(file: string): DocumentFormat | undefined {
  return formatByExtension[path.extname(file).toLowerCase()];
}

/** Whether a character is one no text has: what undecodable bytes become, or a control character but white space. */
function isGarbled(code: number): boolean {
  return code === 0xfffd || code === 0x7f || (code < 0x20 && !(code >= 0x09 && code <= 0x0d));
}

function garbledShare(text: string): number {
  if (text.length === 0) return 0;
  let garbled = 0;
  for (let index = 0; index < text.length; index += 1) if (isGarbled(text.charCodeAt(index))) garbled += 1;
  return garbled / text.length;
}

/**
 * The file's text: UTF-8, or Windows-1252 for a legacy 8-bit text (which UTF-8 garbles a little
 * at every accent). Throws, saying why and that the file is skipped, for what is not text at all:
 * a NUL byte (no text format has one), or a tenth of it garbled either way (random bytes, an
 * image, a .docx renamed .txt).
 */
function decodeText(data: Buffer, file: string): string {
  const notText = (why: string) => new Error(`document ${file} is not text (${why}): skipped`);
  if (data.includes(0)) throw notText('it holds NUL bytes');
  const utf8 = new TextDecoder('utf-8').decode(data);
  const share = garbledShare(utf8);
  if (share <= 0.01) return utf8;
  const legacy = new TextDecoder('windows-1252').decode(data);
  if (garbledShare(legacy) <= 0.01) return legacy;
  if (share <= 0.1) return utf8;
  throw notText(`${Math.round(share * 100)}% of it is neither UTF-8 nor Windows-1252 text`);
}

/** Reads one document and returns its normalized text. Fails with the file's name on any problem. */
export async function ingestDocument(
  file: string,
  id: string = path.basename(file),
): Promise<IngestedDocument> {
  const name = path.basename(file);
  const format = documentFormat(file);
  if (format === undefined) {
    throw new Error(
      `unsupported document type for ${file}: expected one of ${supportedExtensions.join(', ')}`,
    );
  }
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    throw new Error(`cannot read document ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (format === 'pdf') {
    let extracted: Awaited<ReturnType<typeof extractPdfText>>;
    try {
      extracted = await extractPdfText(new Uint8Array(data));
    } catch (error) {
      throw new Error(`cannot read PDF ${file}: ${(error as Error).message}`, { cause: error });
    }
    const text = normalizeText(extracted.text);
    if (text.length === 0) throw new Error(`PDF ${file} has no text layer (a scan needs OCR first)`);
    return { id, name, format, text, pages: extracted.pages };
  }
  const decoded = decodeText(data, file);
  // html-to-text is loaded on the first HTML document, not when the worker starts.
  const html = format === 'html' ? await import('html-to-text') : undefined;
  const text = normalizeText(html ? html.convert(decoded, htmlToTextOptions) : decoded);
  if (text.length === 0) throw new Error(`document ${file} is empty`);
  return { id, name, format, text };
}

/**
 * The supported documents among `pathsOrFolders`: files as given (any extension, so a wrong one
 * fails loudly at ingestion), folders searched recursively for supported extensions, in sorted
 * order, each file once.
 */
export async function listDocuments(pathsOrFolders: readonly string[]): Promise<DocumentSource[]> {
  const sources: DocumentSource[] = [];
  const seen = new Set<string>();
  const add = (file: string, id: string): void => {
    const resolved = path.resolve(file);
    if (seen.has(resolved)) return;
    seen.add(resolved);
    sources.push({ file: resolved, id });
  };
  for (const given of pathsOrFolders) {
    let isFolder: boolean;
    try {
      isFolder = (await stat(given)).isDirectory();
    } catch (error) {
      throw new Error(`cannot read ${given}: ${(error as Error).message}`, { cause: error });
    }
    if (!isFolder) {
      add(given, path.basename(given));
      continue;
    }
    const entries = await readdir(given, { recursive: true, withFileTypes: true });
    const files = entries
      .filter((entry) => entry.isFile() && documentFormat(entry.name) !== undefined)
      .map((entry) => path.relative(given, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
      .sort();
    for (const relative of files) add(path.join(given, relative), relative);
  }
  return sources;
}
