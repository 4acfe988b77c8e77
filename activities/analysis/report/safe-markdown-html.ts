/**
 * A deliberately tiny Markdown-to-HTML converter for the OUTPUT sections, which are model output:
 * paragraphs, `-` lists, `#` headings and `**bold**`. Everything is escaped first and only those
 * constructs become tags, so no input can produce any other element or attribute. Anything else
 * (links, images, raw HTML, code) shows as the literal text.
 */
import { escapeHtml } from './html-escape.js';

function inline(text: string): string {
  return escapeHtml(text).replace(/\*\*(?=\S)(.+?)\*\*/g, '<strong>$1</strong>');
}

/** @param headingOffset added to each heading level, so section headings nest under the page's. */
export function safeMarkdownToHtml(markdown: string, headingOffset = 0): string {
  const html: string[] = [];
  let paragraph: string[] = [];
  let list: string[] = [];
  const flush = (): void => {
    if (paragraph.length > 0) html.push(`<p>${paragraph.map(inline).join(' ')}</p>`);
    if (list.length > 0) html.push(`<ul>${list.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`);
    paragraph = [];
    list = [];
  };
  for (const raw of markdown.split(/\r?\n/)) {
    const line = raw.trim();
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^-\s+(.*)$/.exec(line);
    if (line === '') {
      flush();
    } else if (heading) {
      flush();
      const level = Math.min(6, (heading[1] ?? '#').length + headingOffset);
      html.push(`<h${level}>${inline((heading[2] ?? '').replace(/\s#+$/, ''))}</h${level}>`);
    } else if (item) {
      if (paragraph.length > 0) flush();
      list.push(item[1] ?? '');
    } else if (list.length > 0 && /^\s/.test(raw)) {
      // An indented line continues the list item above it.
      list[list.length - 1] += ` ${line}`;
    } else {
      if (list.length > 0) flush();
      paragraph.push(line);
    }
  }
  flush();
  return html.join('\n');
}
