import type { PiiRecognizer } from './recognizer.js';
import { matchesOf } from './recognizer.js';

/** A local part, `@`, and a domain of at least two labels whose last is 2-24 letters. */
const emailPattern =
  /(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])/g;

export const emailRecognizer: PiiRecognizer = {
  type: 'EMAIL_ADDRESS',
  find(text) {
    // The pattern starts with a lookbehind, so it is tried at every position: a text without an `@`
    // (most of them) cannot hold an address, and one look for the `@` spares that search.
    if (!text.includes('@')) return [];
    return [...matchesOf(text, emailPattern)].map(({ start, end }) => ({
      type: 'EMAIL_ADDRESS',
      start,
      end,
      score: 1,
    }));
  },
};
