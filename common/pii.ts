import { z } from 'zod';

/**
 * The kinds of personal data llmos finds, by Presidio's names, so results compare with Presidio
 * and its evaluation sets. The pattern types are found by checked patterns (a checksum, a
 * numbering plan, address rules); PERSON and LOCATION need a language model of names.
 */
const patternTypeNames = [
  'EMAIL_ADDRESS',
  'PHONE_NUMBER',
  'CREDIT_CARD',
  'IBAN_CODE',
  'US_SSN',
  'IP_ADDRESS',
] as const;

export const PiiTypeSchema = z.enum([...patternTypeNames, 'PERSON', 'LOCATION']);
export type PiiType = z.infer<typeof PiiTypeSchema>;

/** The types found by checked patterns (no language model needed). */
export const patternPiiTypes: readonly PiiType[] = patternTypeNames;

/** One entity found in a text: `start` and `end` are UTF-16 offsets (`text.slice(start, end)`). */
export const PiiEntitySchema = z.object({
  type: PiiTypeSchema,
  start: z.number().int().nonnegative(),
  end: z.number().int().positive(),
  /** How sure the recognizer is, 0..1; a context word nearby ("SSN", "card") raises it. */
  score: z.number().min(0).max(1),
});
export type PiiEntity = z.infer<typeof PiiEntitySchema>;
