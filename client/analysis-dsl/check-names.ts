import type { IToken } from 'chevrotain';
import { DigitWord, StringLiteral } from './tokens.js';
import type { RawEntry } from './parser.js';
import type { SpecError } from './syntax-errors.js';

export const sectionKeywords = ['EXTRACT', 'COMPARE', 'IDENTIFY', 'OUTPUT'] as const;
export type SectionKeyword = (typeof sectionKeywords)[number];

export function at(token: IToken, message: string, hint?: string): SpecError {
  const line = token.startLine ?? 1;
  const column = token.startColumn ?? 1;
  return hint === undefined ? { line, column, message } : { line, column, message, hint };
}

export function position(token: IToken): string {
  return `line ${token.startLine ?? 1}, column ${token.startColumn ?? 1}`;
}

/** A string literal's text: JSON escapes where they parse, the raw inside of the quotes otherwise. */
export function unquote(literal: string): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    return literal.slice(1, -1);
  }
}

function asIdentifier(text: string): string {
  const snake = text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[0-9]/.test(snake) ? `_${snake}` : snake || 'name';
}

/**
 * An entry's name if it is one identifier, otherwise the error that says why not: several words,
 * a quoted string or a word starting with a digit.
 */
export function entryName(section: string, entry: RawEntry): { name: string } | { error: SpecError } {
  const [first, ...rest] = entry.words;
  if (first === undefined) return { error: { line: 1, column: 1, message: `${section} has an empty name` } };
  const text = entry.words
    .map((word) => (word.tokenType === StringLiteral ? unquote(word.image) : word.image))
    .join(' ');
  const problem = `${section} names \`${text}\`, which is not an identifier`;
  const keyword = rest.find((word) => (sectionKeywords as readonly string[]).includes(word.image));
  if (keyword) {
    return {
      error: at(keyword, `\`${keyword.image}\` is missing its \`:\``, `write \`${keyword.image}: names\``),
    };
  }
  if (rest.length > 0) {
    const hint = `join the words with \`_\` (\`${asIdentifier(text)}\`) or separate names with commas`;
    return { error: at(first, problem, hint) };
  }
  if (first.tokenType === StringLiteral) {
    return { error: at(first, problem, `write it without quotes, e.g. \`${asIdentifier(text)}\``) };
  }
  if (first.tokenType === DigitWord) {
    return {
      error: at(first, problem, `names start with a letter or \`_\`, e.g. \`${asIdentifier(text)}\``),
    };
  }
  return { name: first.image };
}
