/**
 * The first layer of injection detection: the text as a reader sees it, so a pattern cannot be
 * dodged by spelling. NFKC folds full-width and other compatibility forms, invisible and
 * bidirectional control characters go, and letters of other scripts that look like Latin ones
 * (Cyrillic `а`, Greek `ο`) become those letters. What was found is reported: hiding characters
 * is itself a sign.
 */
import { bidiControls, invisibleCharacters } from '../../../common/hidden-characters.js';

/** Cyrillic and Greek letters drawn like Latin ones (Unicode's confusables, the common part). */
const homoglyphs: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  һ: 'h',
  ӏ: 'l',
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  У: 'Y',
  Х: 'X',
  І: 'I',
  Ј: 'J',
  Ѕ: 'S',
  α: 'a',
  ο: 'o',
  ρ: 'p',
  ν: 'v',
  τ: 't',
  ι: 'i',
  κ: 'k',
  χ: 'x',
  υ: 'u',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
};
const homoglyphClass = `[${Object.keys(homoglyphs).join('')}]`;
/** Whether a text holds a look-alike letter. */
const anyHomoglyph = new RegExp(homoglyphClass);
/** Every look-alike letter, to replace. */
const everyHomoglyph = new RegExp(homoglyphClass, 'g');

export interface NormalisedText {
  text: string;
  /** Invisible characters removed. */
  invisible: number;
  /** Bidirectional controls removed. */
  bidi: number;
  /** Look-alike letters replaced inside words that also hold Latin letters (`іgnоre`). */
  mixedScriptWords: number;
}

export function normaliseForScan(input: string): NormalisedText {
  const folded = input.normalize('NFKC');
  const invisibleCount = folded.match(invisibleCharacters)?.length ?? 0;
  const bidiCount = folded.match(bidiControls)?.length ?? 0;
  let mixedScriptWords = 0;
  const visible = folded.replace(invisibleCharacters, '').replace(bidiControls, '');
  // Only words that mix scripts are mended: whole Russian or Greek words stay as they are. A call
  // for every word is most of the cost of normalising, so a text without a look-alike letter,
  // which has no word to mend, skips it.
  const text = !anyHomoglyph.test(visible)
    ? visible
    : visible.replace(/\p{L}+/gu, (word) => {
        if (!/[A-Za-z]/.test(word) || !anyHomoglyph.test(word)) return word;
        mixedScriptWords += 1;
        return word.replace(everyHomoglyph, (letter) => homoglyphs[letter] ?? letter);
      });
  return { text, invisible: invisibleCount, bidi: bidiCount, mixedScriptWords };
}
