/**
 * Words for lexical matching of questions against schema identifiers. The same two functions are
 * used for indexing and for querying, so `InvoiceLine`, `invoice_lines` and "invoice lines" all
 * become the terms `invoic` and `line`.
 */

/** Splits text, identifiers included, into words: `BillingCountry` and `billing_country` give `Billing`, `Country`. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  for (const piece of text.split(/[^\p{L}\p{N}]+/u)) {
    if (piece === '') continue;
    // Lower-to-upper boundaries (`InvoiceLine`), acronym ends (`HTTPServer`), letter/digit boundaries.
    const parts = piece
      .replace(/(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/gu, ' ')
      .replace(/(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/gu, ' ')
      .split(' ');
    for (const part of parts) if (part !== '') words.push(part);
  }
  return words;
}

/**
 * Question words that say nothing about which table is meant. Domain words ("name", "total", "id")
 * stay: BM25's inverse document frequency already discounts the ones every table has.
 */
const stopWords = new Set(
  (
    'a an and are as at be by did do does each for from had has have how i in is it its list me ' +
    'my of on or per show that the their them there these they this those to was were what when ' +
    'where which who whom whose with give find get return all any most least many much more than ' +
    'number top us our please tell every same one only also into'
  ).split(' '),
);

/**
 * A deliberately tiny stemmer: it only has to make singular and plural meet, and both sides go
 * through it. `ies` becomes `y`, a final `s` goes (not `ss`, `us`, `is`), then a final `e` goes,
 * so `invoices`/`invoice` → `invoic`, `boxes`/`box` → `box`, `countries`/`country` → `country`.
 */
export function stem(word: string): string {
  let term = word;
  if (term.length > 4 && term.endsWith('ies')) term = `${term.slice(0, -3)}y`;
  else if (term.length > 3 && term.endsWith('s') && !/(ss|us|is)$/.test(term)) term = term.slice(0, -1);
  if (term.length > 3 && term.endsWith('e')) term = term.slice(0, -1);
  return term;
}

/** MiniSearch `processTerm`: lower-cased, stop words dropped, stemmed. */
export function processTerm(term: string): string | null {
  const lower = term.toLowerCase();
  if (lower.length === 0 || stopWords.has(lower)) return null;
  return stem(lower);
}

/** The processed terms of a text, in order, duplicates kept. */
export function termsOf(text: string): string[] {
  const terms: string[] = [];
  for (const word of splitWords(text)) {
    const term = processTerm(word);
    if (term !== null) terms.push(term);
  }
  return terms;
}
