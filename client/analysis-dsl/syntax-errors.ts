import type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
import { EOF } from 'chevrotain';
import { Colon, Comma, Identifier, LCurly, RCurly, RParen } from './tokens.js';

/** A problem in a spec, 1-based; `hint` says how to fix it. */
export interface SpecError {
  line: number;
  column: number;
  message: string;
  hint?: string;
}

/**
 * chevrotain hands a provider only the tokens around an error and keeps just a string, so the
 * provider encodes a whole {@link SpecError} as JSON and `decodeSyntaxError` reads it back.
 */
function encode(
  at: IToken,
  previous: IToken | undefined,
  message: string,
  hint?: string,
  afterPrevious = false,
): string {
  const atEnd = afterPrevious || at.tokenType === EOF || Number.isNaN(at.startLine ?? Number.NaN);
  // Before the first token (an empty spec) there is no previous one: chevrotain's stand-in has
  // NaN positions, which would reach the message as `null`. The start of the file, then.
  const line = atEnd ? position(previous?.endLine, 1) : position(at.startLine, 1);
  const column = atEnd ? position(previous?.endColumn, 0) + 1 : position(at.startColumn, 1);
  const error: SpecError = hint === undefined ? { line, column, message } : { line, column, message, hint };
  return JSON.stringify(error);
}

/** A token's position, or `fallback` where it has none (undefined or NaN). */
function position(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}

export function decodeSyntaxError(message: string): SpecError {
  return JSON.parse(message) as SpecError;
}

export function describeToken(token: IToken): string {
  return token.tokenType === EOF ? 'the end of the spec' : `\`${token.image}\``;
}

const sectionHint =
  'a section is a keyword, a colon and names separated by commas, e.g. `OUTPUT: executive_summary`';

function mismatch(expected: TokenType, actual: IToken, ruleName: string): { message: string; hint?: string } {
  const found = describeToken(actual);
  if (expected === LCurly) {
    return {
      message: `expected \`{\` to open the block, found ${found}`,
      hint: 'write `ANALYZE <name> {` and close the block with `}`',
    };
  }
  if (expected === RCurly) {
    return actual.tokenType === EOF
      ? {
          message: 'missing `}` at the end of the spec',
          hint: 'close the ANALYZE block with `}` after the last section',
        }
      : { message: `expected a section or \`}\`, found ${found}`, hint: sectionHint };
  }
  if (expected === RParen) {
    return {
      message: `expected \`)\` after the type, found ${found}`,
      hint: 'declare a type as `name (type)`, e.g. `parties (list)`',
    };
  }
  if (expected === Identifier && ruleName === 'spec') {
    return {
      message: `expected the analysis name, found ${found}`,
      hint: 'write `ANALYZE <name> {`, e.g. `ANALYZE contracts {`',
    };
  }
  if (expected === Identifier && ruleName === 'entry') {
    return {
      message: `expected a type inside \`( )\`, found ${found}`,
      hint: 'the types are date, money, text and list',
    };
  }
  if (expected === Identifier && ruleName === 'section') {
    return {
      message: `expected what to compare across after ACROSS, found ${found}`,
      hint: 'write `ACROSS documents`',
    };
  }
  const label = expected === Colon ? '`:`' : expected === Comma ? '`,`' : (expected.LABEL ?? expected.name);
  return { message: `expected ${label}, found ${found}` };
}

/** Messages in the DSL's own words instead of chevrotain's token-type names. */
export const syntaxErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous, ruleName }) {
    const { message, hint } = mismatch(expected, actual, ruleName);
    // A missing opener or closer is reported where it belongs: right after the token before it.
    const missing = (expected === LCurly || expected === RParen) && previous.tokenType !== EOF;
    return encode(actual, previous, message, hint, missing);
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return encode(
      firstRedundant,
      undefined,
      `unexpected ${describeToken(firstRedundant)} after the closing \`}\``,
      'everything belongs inside the one `ANALYZE <name> { ... }` block',
    );
  },
  buildNoViableAltMessage({ actual, previous, ruleName }) {
    const first = actual[0] ?? previous;
    const hint =
      ruleName !== 'entry'
        ? sectionHint
        : previous.tokenType === Comma
          ? 'remove the `,` after the last name, or add a name after it'
          : 'names are identifiers such as `governing_law`, separated by commas';
    return encode(first, previous, `expected a name, found ${describeToken(first)}`, hint);
  },
  buildEarlyExitMessage({ actual, previous }) {
    const first = actual[0] ?? previous;
    return encode(first, previous, `unexpected ${describeToken(first)}`, sectionHint);
  },
};
