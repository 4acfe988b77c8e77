import type { IToken } from 'chevrotain';
import { EmbeddedActionsParser } from 'chevrotain';
import { syntaxErrorMessages } from './syntax-errors.js';
import {
  Across,
  allTokens,
  Colon,
  Comma,
  DigitWord,
  Identifier,
  LCurly,
  LParen,
  RCurly,
  RParen,
  StringLiteral,
} from './tokens.js';

/** One entry of a section: `name`, `name (type)`, `name "description"`, `name (type) "description"`. */
export interface RawEntry {
  /** Usually one identifier; several words or a quoted name are kept so they can be reported. */
  words: IToken[];
  type?: IToken;
  description?: IToken;
}

/** `KEYWORD: entry, entry ... [ACROSS target]` */
export interface RawSection {
  keyword: IToken;
  entries: RawEntry[];
  across?: { keyword: IToken; target: IToken };
}

/** `KEYWORD name { section* }`, before any meaning is checked. */
export interface RawSpec {
  keyword: IToken;
  name: IToken;
  open: IToken;
  sections: RawSection[];
}

/** A sub-rule that failed and was re-synced returns undefined (chevrotain's recovery value). */
function keep<T>(into: T[], value: T | undefined): void {
  if (value !== undefined) into.push(value);
}

/**
 * The grammar, in chevrotain's embedded-actions style (the rules build {@link RawSpec} directly).
 * Error recovery is on: a missing token is inserted or an extra one skipped, so one run reports
 * several syntax errors. A section starts with `Identifier ':'`, which is why an entry's
 * continuation words are gated on the token after them not being a colon.
 */
class AnalysisParser extends EmbeddedActionsParser {
  constructor() {
    super(allTokens, { recoveryEnabled: true, maxLookahead: 2, errorMessageProvider: syntaxErrorMessages });
    this.performSelfAnalysis();
  }

  private readonly startsSection = (): boolean =>
    this.LA(1).tokenType === Identifier && this.LA(2).tokenType === Colon;

  private readonly isNameWord = (): boolean => {
    const type = this.LA(1).tokenType;
    return (type === Identifier || type === DigitWord) && this.LA(2).tokenType !== Colon;
  };

  public readonly spec = this.RULE('spec', (): RawSpec => {
    const keyword = this.CONSUME(Identifier);
    const name = this.CONSUME2(Identifier);
    const open = this.CONSUME(LCurly);
    const sections: RawSection[] = [];
    this.MANY({ GATE: this.startsSection, DEF: () => keep(sections, this.SUBRULE(this.section)) });
    this.CONSUME(RCurly);
    return { keyword, name, open, sections };
  });

  private readonly section = this.RULE('section', (): RawSection => {
    const keyword = this.CONSUME(Identifier);
    this.CONSUME(Colon);
    const entries: RawEntry[] = [];
    this.OPTION({
      GATE: () => !this.startsSection(),
      DEF: () => {
        keep(entries, this.SUBRULE(this.entry));
        this.MANY(() => {
          this.CONSUME(Comma);
          keep(entries, this.SUBRULE2(this.entry));
        });
      },
    });
    let across: RawSection['across'];
    this.OPTION2(() => {
      const acrossKeyword = this.CONSUME(Across);
      across = { keyword: acrossKeyword, target: this.CONSUME3(Identifier) };
    });
    return across === undefined ? { keyword, entries } : { keyword, entries, across };
  });

  private readonly entry = this.RULE('entry', (): RawEntry => {
    const words: IToken[] = [];
    this.OR([
      { ALT: () => words.push(this.CONSUME(Identifier)) },
      { ALT: () => words.push(this.CONSUME(DigitWord)) },
      { ALT: () => words.push(this.CONSUME(StringLiteral)) },
    ]);
    this.MANY({
      GATE: this.isNameWord,
      DEF: () => {
        this.OR2([
          { ALT: () => words.push(this.CONSUME2(Identifier)) },
          { ALT: () => words.push(this.CONSUME2(DigitWord)) },
        ]);
      },
    });
    let type: IToken | undefined;
    let description: IToken | undefined;
    this.OPTION(() => {
      this.CONSUME(LParen);
      type = this.CONSUME3(Identifier);
      this.CONSUME(RParen);
    });
    this.OPTION2(() => {
      description = this.CONSUME2(StringLiteral);
    });
    return { words, ...(type && { type }), ...(description && { description }) };
  });
}

/** One parser instance: chevrotain's self-analysis is costly and the parser is reusable. */
export const analysisParser = new AnalysisParser();
