import type nlpType from 'compromise';
import { createRequire } from 'node:module';
import type { PiiEntity, PiiType } from '../../../common/pii.js';
import type { PiiRecognizer } from './recognizer.js';

/**
 * Names and places, by compromise (a rule-and-lexicon English tagger that runs offline, no model
 * weights). Measured on Presidio's synthetic set (`npm run bench:guards`): it finds about two
 * thirds of the people and half of the places, so a profile asks for them by name (`types:
 * [PERSON, LOCATION]`) rather than getting them by default, and it costs far more per character
 * than the pattern recognizers.
 */
const score = 0.6;

type Nlp = typeof nlpType;
type Doc = ReturnType<Nlp>;

/**
 * compromise, loaded on the first scan for names or places (its lexicon takes half a second to
 * load), so a worker whose guards never ask for them does not pay it. Its CommonJS build, so the
 * recognizers stay synchronous.
 */
let nlp: Nlp | undefined;

/** The last text parsed, so the two recognizers of one scan parse it once. */
let parsed: { text: string; doc: Doc } | undefined;
function parse(text: string): Doc {
  nlp ??= createRequire(import.meta.url)('compromise') as Nlp;
  if (parsed?.text !== text) parsed = { text, doc: nlp(text) };
  return parsed.doc;
}

interface Match {
  offset: { start: number; length: number };
}

/** What a selection of compromise's gives back with offsets. */
type Selection = { json(options: { offset: true }): unknown };

function recognizer(type: PiiType, select: (doc: Doc) => Selection): PiiRecognizer {
  return {
    type,
    find(text: string): PiiEntity[] {
      const matches = select(parse(text)).json({ offset: true }) as Match[];
      return matches
        .map(({ offset }) => {
          // compromise counts trailing punctuation into a match's length at times: trim it off.
          let end = offset.start + offset.length;
          while (end > offset.start && /[\s.,;:!?'")\]]/.test(text[end - 1]!)) end -= 1;
          return { type, start: offset.start, end, score };
        })
        .filter((entity) => entity.end > entity.start);
    },
  };
}

export const personRecognizer = recognizer('PERSON', (doc) => doc.people());
export const locationRecognizer = recognizer('LOCATION', (doc) => doc.places());
