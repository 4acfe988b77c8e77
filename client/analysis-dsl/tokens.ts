import { createToken, Lexer } from 'chevrotain';

/**
 * The analysis DSL's tokens. Keywords (ANALYZE, EXTRACT, COMPARE, ...) lex as plain identifiers
 * and are checked afterwards, so a misspelt keyword gets a "did you mean" instead of a bare
 * syntax error. Only ACROSS is a token: it ends COMPARE's name list.
 */
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });
/** A word that starts with a digit (`3rd_party`): lexed so that it can be reported as a bad name. */
export const DigitWord = createToken({ name: 'DigitWord', pattern: /[0-9][A-Za-z0-9_.]*/ });
export const Across = createToken({ name: 'Across', pattern: /ACROSS/i, longer_alt: Identifier });
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /"(?:[^"\\\r\n]|\\.)*"/ });
export const LCurly = createToken({ name: 'LCurly', pattern: '{', label: '`{`' });
export const RCurly = createToken({ name: 'RCurly', pattern: '}', label: '`}`' });
export const LParen = createToken({ name: 'LParen', pattern: '(', label: '`(`' });
export const RParen = createToken({ name: 'RParen', pattern: ')', label: '`)`' });
export const Colon = createToken({ name: 'Colon', pattern: ':', label: '`:`' });
export const Comma = createToken({ name: 'Comma', pattern: ',', label: '`,`' });
const Comment = createToken({ name: 'Comment', pattern: /(?:#|--)[^\n\r]*/, group: Lexer.SKIPPED });
const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

export const allTokens = [
  WhiteSpace,
  Comment,
  StringLiteral,
  LCurly,
  RCurly,
  LParen,
  RParen,
  Colon,
  Comma,
  Across,
  Identifier,
  DigitWord,
];

export const analysisLexer = new Lexer(allTokens, { positionTracking: 'full' });
