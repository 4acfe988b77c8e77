import type { PiiEntity, PiiType } from '../../../common/pii.js';
import { creditCardRecognizer } from './credit-card.js';
import { emailRecognizer } from './email.js';
import { ibanRecognizer } from './iban.js';
import { ipAddressRecognizer } from './ip-address.js';
import { phoneRecognizer } from './phone.js';
import type { PiiRecognizer } from './recognizer.js';
import { usSsnRecognizer } from './us-ssn.js';
import { locationRecognizer, personRecognizer } from './names-and-places.js';

/**
 * The pattern recognizers, strongest evidence first: when two claim overlapping text, the one
 * with the higher score wins, and on a tie the earlier in this list (a checksum beats a shape).
 */
export const patternRecognizers: readonly PiiRecognizer[] = [
  ibanRecognizer,
  creditCardRecognizer,
  emailRecognizer,
  usSsnRecognizer,
  ipAddressRecognizer,
  phoneRecognizer,
];

/** Every recognizer: the pattern ones, then names and places (asked for by type, never by default). */
export const allRecognizers: readonly PiiRecognizer[] = [
  ...patternRecognizers,
  personRecognizer,
  locationRecognizer,
];

export interface FindPiiOptions {
  /** Entities scored below this are left out; 0.5 by default. */
  threshold?: number;
  /** Only these types (`PERSON` and `LOCATION` among them only when named); the pattern types by default. */
  types?: readonly PiiType[];
  recognizers?: readonly PiiRecognizer[];
}

/**
 * The personal data in `text`, without overlaps, in order of position. Pure and deterministic:
 * the same text gives the same entities, so a guard step that runs it is safe to retry.
 */
export function findPii(text: string, options: FindPiiOptions = {}): PiiEntity[] {
  const { threshold = 0.5 } = options;
  const recognizers = options.recognizers ?? (options.types ? allRecognizers : patternRecognizers);
  const wanted = options.types ? new Set(options.types) : undefined;
  const candidates = recognizers
    .filter((recognizer) => !wanted || wanted.has(recognizer.type))
    .flatMap((recognizer, rank) => recognizer.find(text).map((entity) => ({ entity, rank })))
    .filter(({ entity }) => entity.score >= threshold)
    .sort((a, b) => b.entity.score - a.entity.score || a.rank - b.rank || a.entity.start - b.entity.start);
  const kept: PiiEntity[] = [];
  for (const { entity } of candidates) {
    if (kept.every((other) => entity.end <= other.start || entity.start >= other.end)) kept.push(entity);
  }
  return kept.sort((a, b) => a.start - b.start);
}
