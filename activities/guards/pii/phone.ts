import { findPhoneNumbersInText, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { matchesOf } from './recognizer.js';
import type { PiiEntity } from '../../../common/pii.js';
import type { PiiRecognizer } from './recognizer.js';
import { withContext } from './recognizer.js';

/**
 * The numbering plans a number without a `+` is read in, as Presidio's default regions do: each
 * finds the numbers valid in that country (libphonenumber's full metadata, so area codes and
 * lengths are checked, not guessed).
 */
export const phoneRegions: readonly CountryCode[] = [
  'US',
  'GB',
  'DE',
  'FR',
  'IN',
  'CA',
  'BR',
  'AU',
  'IL',
  'SE',
  'CH',
  'NL',
  'BE',
  'IT',
  'ES',
  'FI',
];

const phoneContext = [
  /\bphone\b/i,
  /\btel(?:ephone)?\b/i,
  /\bcall\b/i,
  /\bmobile\b/i,
  /\bcell\b/i,
  /\bfax\b/i,
  /\bcontact\b/i,
  /\breach\b/i,
  /\bnumber\b/i,
  /\bdial\b/i,
  /\bwhatsapp\b/i,
];

/** A date written with digits only, or a code led by a year (`2021-97794`): libphonenumber reads some as valid numbers. */
const dateShape = /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|(?:19|20)\d\d[-/.]\d+)$/;

/** What follows a house number: a street name and its kind, or an apartment (`74 Diakou St`, `12 Rue Gafsa`). */
const streetAfter =
  /^\s+(?:\p{L}[\p{L}'.-]*\s+){0,3}(?:St|Str|Street|Strasse|Straße|Ave?|Avenue|Rd|Road|Dr|Dri|Drive|Ln|La|Lane|Pl|Place|Way|Blvd|Ct|Court|Te|Terrace|Sq|Square)\b|^\s+(?:Rue|Via|Calle|Avenida|Av\.)\s|^\s+\p{L}+(?:vej|gade|katu|gatan|straat|weg)\b/iu;

/** `+`, a digit, then digits with the separators people write, ending on a digit. */
const internationalCandidate = /\+\d[\d\s().-]{5,20}\d(?!\d)/g;

/** A number of fewer digits is a house number, a postcode or a local extension, not a phone number to mask. */
const minimumDigits = 7;

/**
 * A character libphonenumber's matcher can take into a number: anything but a letter or a line
 * break, save the letters of the extension labels it reads (`ext`, `extensión`, `anexo`, `int`,
 * `x`, `доб`, their full-width forms) and the long-vowel mark it reads as a dash.
 */
const inNumber = String.raw`[^\p{L}\n\r]|[aeinostxó\u30fc\uff45\uff58\uff54\uff4e\uff49доб]`;

/**
 * A run of `inNumber` characters with a digit in it: a number libphonenumber finds never reaches
 * past its run. The search starts at a digit, and the lookbehind takes the run's characters before
 * it: a search that tried a run at every character takes twenty times as long.
 */
const numberRun = new RegExp(`\\d(?<=((?:${inNumber})*)\\d)(?:${inNumber})*`, 'giu');

/**
 * The runs of `text` with enough digits for a phone number, end to end, each with the character on
 * either side (libphonenumber rejects a number glued to a letter, `abc8005001234`, by looking at
 * them), and for each run where it ends in `runs` and how far its offsets are from `text`'s.
 * libphonenumber finds in `runs` the numbers it finds in the whole text, in the same order: parsing
 * every candidate in sixteen numbering plans is the costly part of a scan, and most runs of digits
 * are a year, a price or a house number, too short to parse.
 */
function numberRuns(text: string): { runs: string; ends: { inRuns: number; shiftToText: number }[] } {
  let runs = '';
  const ends: { inRuns: number; shiftToText: number }[] = [];
  for (const match of text.matchAll(numberRun)) {
    const start = match.index - match[1]!.length;
    const end = match.index + match[0].length;
    if (text.slice(start, end).replace(/\D/g, '').length < minimumDigits) continue;
    const from = Math.max(0, start - 1);
    const shiftToText = from - runs.length;
    runs += text.slice(from, end + 1);
    ends.push({ inRuns: runs.length, shiftToText });
  }
  return { runs, ends };
}

/** `ddd-dd-dddd` is the shape of a US social security number, which that recognizer judges. */
const ssnShape = /^\d{3}-\d{2}-\d{4}$/;

/** Six or more digits, then a short group after a dash or dot (`915689-859`): a product or batch code. */
const codeShape = /^\d{6,}[-.]\d{1,3}$/;

/**
 * Phone numbers, by libphonenumber. A run of bare digits is any number (an order, an account),
 * so it counts only next to a word such as "phone" or "call"; a number written as people write
 * phone numbers (`+`, brackets, spaces, dashes, dots) counts alone.
 */
export const phoneRecognizer: PiiRecognizer = {
  type: 'PHONE_NUMBER',
  find(text) {
    // Sixteen numbering plans are the costly part of a scan: a text without enough digits for one
    // number is done at once.
    if ((text.match(/\d/g)?.length ?? 0) < minimumDigits) return [];
    const found = new Map<string, PiiEntity>();
    const consider = (start: number, end: number, base: { formatted: number; bare: number }) => {
      const value = text.slice(start, end);
      if (
        value.replace(/\D/g, '').length < minimumDigits ||
        dateShape.test(value) ||
        codeShape.test(value) ||
        ssnShape.test(value)
      )
        return;
      if (streetAfter.test(text.slice(end, end + 40))) return;
      const formatted = /^\+|[\s().-]/.test(value);
      const score = withContext(text, start, end, phoneContext, formatted ? base.formatted : base.bare, 0.9);
      const key = `${start}:${end}`;
      if ((found.get(key)?.score ?? -1) < score) found.set(key, { type: 'PHONE_NUMBER', start, end, score });
    };
    const { runs, ends } = numberRuns(text);
    // A plan sets up a matcher even for nothing: a text whose runs of digits are all short skips them.
    for (const defaultCountry of runs === '' ? [] : phoneRegions) {
      for (const { startsAt, endsAt } of findPhoneNumbersInText(runs, { defaultCountry })) {
        const { shiftToText } = ends.find((run) => startsAt < run.inRuns)!;
        consider(startsAt + shiftToText, endsAt + shiftToText, { formatted: 0.6, bare: 0.3 });
      }
    }
    // A number written with its country code (`+44 ...`) is a phone number even if its digits
    // are not assigned (made-up numbers in examples and forms): possible lengths are enough.
    for (const { value, start, end } of matchesOf(text, internationalCandidate)) {
      if (parsePhoneNumberFromString(value)?.isPossible())
        consider(start, end, { formatted: 0.6, bare: 0.6 });
    }
    return [...found.values()];
  },
};
