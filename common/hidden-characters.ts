/**
 * Characters a reader does not see, which can hide a word or a tag from a check: both the
 * spotlight (which strips them from untrusted text) and the injection scan (which strips and
 * counts them) use these. Global patterns, for `replace` and `match`.
 */

/** Zero-width, soft-hyphen, word-joiner and byte-order characters. */
export const invisibleCharacters = /[\u00AD\u180E\u200B-\u200D\u2060-\u2064\uFEFF]/g;

/** Bidirectional controls: they reorder what is shown, so text can say one thing and show another. */
export const bidiControls = /[\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
