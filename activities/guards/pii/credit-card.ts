import type { PiiRecognizer } from './recognizer.js';
import { matchesOf, withContext } from './recognizer.js';

/**
 * 12 to 19 digits, in groups split by single spaces or dashes, standing alone: not inside a longer
 * number or a code such as a tracking number (`1Z...`), and not after `+` (a phone number).
 */
const cardPattern = /(?<![\w+-])\d(?:[ -]?\d){11,18}(?![\w-])/g;

/** Issuer prefixes of the card networks (Visa, Mastercard, Amex, Discover, Diners, JCB, Maestro, UnionPay). */
const issuerPrefix = /^(?:4|5[0-8]|2(?:2[2-9]|[3-6]\d|7[01])|3[47]|3[068]|6011|6[245]|35|1800|2131|6304|67)/;

const cardContext = [
  /\bcards?\b/i,
  /\bcredit\b/i,
  /\bdebit\b/i,
  /\bvisa\b/i,
  /\bmastercard\b/i,
  /\bamex\b/i,
  /\bcc\b/i,
];

/** The Luhn checksum every payment card number carries. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * Card numbers: the Luhn checksum must hold, and the number must start with an issuer's prefix
 * or stand near a word such as "card". A random number passes Luhn one time in ten, so the prefix
 * or the context is what keeps order numbers out.
 */
export const creditCardRecognizer: PiiRecognizer = {
  type: 'CREDIT_CARD',
  find(text) {
    return [...matchesOf(text, cardPattern)].flatMap(({ value, start, end }) => {
      const digits = value.replace(/\D/g, '');
      if (!passesLuhn(digits) || /^(\d)\1+$/.test(digits)) return [];
      const score = issuerPrefix.test(digits) ? 0.9 : withContext(text, start, end, cardContext, 0.3, 0.8);
      return [{ type: 'CREDIT_CARD' as const, start, end, score }];
    });
  },
};
