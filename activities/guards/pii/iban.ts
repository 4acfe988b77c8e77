import type { PiiRecognizer } from './recognizer.js';
import { matchesOf } from './recognizer.js';

/** IBAN length by country code (the SWIFT IBAN registry). */
const ibanLength: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
};

/** Country code, check digits, then letters and digits, optionally in groups of four split by spaces. */
const ibanPattern = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])/g;

/** ISO 7064 mod 97-10: the IBAN's check digits make this 1. */
export function ibanChecksumHolds(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const value = /\d/.test(character) ? character : String(character.charCodeAt(0) - 55);
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** IBANs: a known country, its exact length, and the mod-97 check digits. */
export const ibanRecognizer: PiiRecognizer = {
  type: 'IBAN_CODE',
  find(text) {
    return [...matchesOf(text, ibanPattern)].flatMap(({ value, start, end }) => {
      const iban = value.replace(/ /g, '').toUpperCase();
      const length = ibanLength[iban.slice(0, 2)];
      if (length === undefined) return [];
      // A longer match may hold the IBAN and the word after it: keep the IBAN's own length.
      if (iban.length < length) return [];
      const exact = iban.slice(0, length);
      if (!ibanChecksumHolds(exact)) return [];
      let consumed = 0;
      let cut = 0;
      while (consumed < length) {
        if (value[cut] !== ' ') consumed += 1;
        cut += 1;
      }
      return [
        { type: 'IBAN_CODE' as const, start, end: iban.length === length ? end : start + cut, score: 1 },
      ];
    });
  },
};
