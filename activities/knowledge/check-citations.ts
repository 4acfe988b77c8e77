import type { ClaimCheck, CitationReport } from '../../common/citations.js';
import { findQuote } from '../analysis/verify-quote.js';

/** A passage id as answers cite it: `[guide.md#3]`, `[docs/setup.html#12]`. */
const citation = /\[([^[\]\s]+#\d+)\]/g;

/** A claim is supported when at least this share of its content words is in what it cites. */
const supportedOverlap = 0.6;

/** Words that carry no claim of their own. */
const functionWords = new Set(
  'a an the and or but if then than that this these those there here is are was were be been being am do does did has have had will would shall should can could may might must of to in on at by for from with as into onto about over under after before between through during without within not no nor so too very it its they them their you your we our he she his her i me my which who whom whose what when where why how all any each every some such only own same other also just more most'.split(
    ' ',
  ),
);

/** Content words, lower-cased, with a crude stem (the first six letters), so "renews" meets "renewal". */
const contentWords = (text: string): string[] =>
  (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter((word) => word.length > 2 && !functionWords.has(word))
    .map((word) => word.slice(0, 6));

/**
 * The answer's sentences, each with its citations, before or after its full stop (`... two years
 * [a.md#0].`). Citations are set aside while splitting, as their ids hold dots; a stop must be
 * followed by a space or the end, so "2.4 GHz" stays whole.
 */
function claimsOf(answer: string): string[] {
  const cited: string[] = [];
  const masked = answer.replace(citation, (whole) => `\uE000${cited.push(whole) - 1}\uE000`);
  const sentences = masked.match(/(?:[^.!?\n]|[.!?](?!\s|$))+(?:[.!?]+(?:[ \t]*\uE000\d+\uE000)*|$)/g) ?? [];
  return sentences
    .map((sentence) =>
      sentence.replace(/\uE000(\d+)\uE000/g, (_, index: string) => cited[Number(index)]!).trim(),
    )
    .filter((claim) => contentWords(claim.replace(citation, '')).length > 0);
}

/**
 * Checks an answer against the passages its run retrieved (id -> the text the model was shown).
 * Each sentence is a claim: one that cites an id never retrieved is `invalid`; one whose quotes
 * are not all in its cited passages, or fewer than 60% of whose content words are, is
 * `unsupported`; one that cites nothing is `uncited`. A lexical check: it catches a claim with no
 * footing in its sources, not a subtle contradiction (the model judge is for that). Pure.
 */
export function checkCitations(answer: string, passages: ReadonlyMap<string, string>): CitationReport {
  const claims: ClaimCheck[] = claimsOf(answer).map((claim) => {
    const cited = [...new Set([...claim.matchAll(citation)].map((match) => match[1]!))];
    const words = contentWords(claim.replace(citation, ''));
    if (cited.length === 0) return { claim, cited, status: 'uncited', overlap: 0 };
    if (cited.some((id) => !passages.has(id))) return { claim, cited, status: 'invalid', overlap: 0 };
    const sources = cited.map((id) => passages.get(id)!);
    const sourceWords = new Set(sources.flatMap(contentWords));
    const overlap =
      Math.round((words.filter((word) => sourceWords.has(word)).length / words.length) * 100) / 100;
    const quotesNotFound = [...claim.matchAll(/"([^"]{8,})"|“([^”]{8,})”/g)]
      .map((match) => match[1] ?? match[2]!)
      .filter((quote) => !sources.some((source) => findQuote(source, quote)));
    const status = overlap >= supportedOverlap && quotesNotFound.length === 0 ? 'supported' : 'unsupported';
    return { claim, cited, status, overlap, ...(quotesNotFound.length > 0 ? { quotesNotFound } : {}) };
  });
  const count = (status: ClaimCheck['status']) => claims.filter((claim) => claim.status === status).length;
  return {
    claims,
    retrieved: passages.size,
    invalid: [
      ...new Set(claims.filter((claim) => claim.status === 'invalid').flatMap((claim) => claim.cited)),
    ].filter((id) => !passages.has(id)),
    supported: count('supported'),
    unsupported: count('unsupported'),
    uncited: count('uncited'),
  };
}

/**
 * The passages in a `retrieve` tool result: each block is `[id]` on its own line, then the
 * spotlighted text (`<untrusted-… source="base/id">`, the text, `</untrusted-…>`). A summary of
 * the passages that did not fit (`[summary of a#1, b#2]`) stands for each of them: the model read
 * them only through it, so a claim citing one is checked against the summary.
 */
export function retrievedPassages(toolResult: string): Map<string, string> {
  const passages = new Map<string, string>();
  const block =
    /^\[((?:summary of )?[^[\]\s]+#\d+(?:, [^[\]\s]+#\d+)*)\]\n<untrusted-([0-9a-z]+) [^\n]*>\n([\s\S]*?)\n<\/untrusted-\2>/gm;
  for (const match of toolResult.matchAll(block)) {
    const label = match[1]!;
    const summary = label.startsWith('summary of ');
    const ids = summary ? label.slice('summary of '.length).split(', ') : [label];
    // A passage shown whole is its own best source; a summary never replaces it.
    for (const id of ids) if (!summary || !passages.has(id)) passages.set(id, match[3]!);
  }
  return passages;
}
