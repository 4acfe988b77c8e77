/**
 * The one canonical form of a document's text: every offset the analysis stores (chunks,
 * citations) points into the output of `normalizeText`, so ingestion applies it once and nothing
 * downstream re-normalizes. Pure and deterministic: the same input always gives the same output.
 *
 * Steps, in order:
 * 1. Unicode NFKC (ligatures such as "ﬁ" become "fi", no-break and other compatibility spaces
 *    become ordinary ones, full-width forms become ASCII).
 * 2. CRLF and lone CR become LF; form feeds and vertical tabs (page breaks in text exports) too.
 * 3. Tabs, no-break and other Unicode spaces become a plain space; zero-width characters, the
 *    byte-order mark and soft hyphens are removed.
 * 4. Runs of spaces become one space; spaces at the end of a line are removed.
 * 5. More than two consecutive blank lines become two; blank lines at the start and end go.
 * 6. A word hyphenated across a line end ("agree-\nment") is joined only when the document itself
 *    proves the joined form: the whole word ("agreement") appears elsewhere in the text, in which
 *    case the hyphen and the line break go; or the hyphenated compound ("third-party") appears
 *    elsewhere on one line, in which case only the line break goes. Anything else is left alone,
 *    because without a dictionary "non-\nexclusive" cannot be told from "agree-\nment".
 */
export function normalizeText(text: string): string {
  const spaced = text
    .normalize('NFKC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\f\v]/g, '\n')
    .replace(/[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g, ' ')
    .replace(/[\u200b-\u200d\u2060\ufeff\u00ad]/g, '')
    .replace(/ {2,}/g, ' ')
    .replace(/ +\n/g, '\n')
    .replace(/ +$/, '')
    .replace(/\n{4,}/g, '\n\n\n')
    .replace(/^\n+/, '')
    .replace(/\n+$/, '');
  return joinHyphenatedLineEnds(spaced);
}

const lineEndHyphenation = /(\p{L}+)-\n ?(\p{Ll}+)/gu;

function joinHyphenatedLineEnds(text: string): string {
  if (!text.includes('-\n')) return text;
  const words = new Set(Array.from(text.matchAll(/\p{L}+/gu), (match) => match[0].toLowerCase()));
  const compounds = new Set(
    Array.from(text.matchAll(/\p{L}+(?:-\p{L}+)+/gu), (match) => match[0].toLowerCase()),
  );
  return text.replace(lineEndHyphenation, (whole, left: string, right: string) => {
    if (words.has(`${left}${right}`.toLowerCase())) return `${left}${right}`;
    if (compounds.has(`${left}-${right}`.toLowerCase())) return `${left}-${right}`;
    return whole;
  });
}
