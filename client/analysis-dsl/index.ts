import type { AnalysisSpec } from '../../common/analysis-spec.js';
import { AnalysisSpecSchema } from '../../common/analysis-spec.js';
import { checkSpec } from './check-spec.js';
import type { RawSpec } from './parser.js';
import { analysisParser } from './parser.js';
import type { SpecError } from './syntax-errors.js';
import { decodeSyntaxError } from './syntax-errors.js';
import { analysisLexer } from './tokens.js';

export { formatSpecErrors } from './format-spec-errors.js';
export { inferFieldType } from './infer-field-type.js';
export type { SpecError } from './syntax-errors.js';

export type ParseAnalysisSpecResult = { ok: true; spec: AnalysisSpec } | { ok: false; errors: SpecError[] };

/**
 * Parses and checks an analysis spec (`ANALYZE name { EXTRACT: ... }`). Lexing, syntax and
 * meaning are all checked in one pass and every error found is returned, sorted by position;
 * `file` only labels messages and is not read. Pure and synchronous.
 */
export function parseAnalysisSpec(text: string, _file?: string): ParseAnalysisSpecResult {
  const errors: SpecError[] = [];
  const lexed = analysisLexer.tokenize(text);
  for (const error of lexed.errors) {
    const character = text.slice(error.offset, error.offset + error.length);
    errors.push({
      line: error.line ?? 1,
      column: error.column ?? 1,
      message: `unexpected character \`${character}\``,
      hint: 'names are letters, digits and `_`; descriptions go in double quotes; comments start with `#` or `--`',
    });
  }
  if (lexed.tokens.length === 0 && errors.length === 0)
    return {
      ok: false,
      errors: [
        {
          line: 1,
          column: 1,
          message: 'the spec is empty',
          hint: 'write `ANALYZE <name> { EXTRACT: <field>, ... }`, e.g. `ANALYZE contracts { EXTRACT: parties }`',
        },
      ],
    };
  analysisParser.input = lexed.tokens;
  // Undefined when recovery could not save even the top rule.
  const raw = analysisParser.spec() as RawSpec | undefined;
  errors.push(...analysisParser.errors.map((error) => decodeSyntaxError(error.message)));
  const spec = raw === undefined ? undefined : checkSpec(raw, errors);
  if (spec && errors.length === 0) return { ok: true, spec: AnalysisSpecSchema.parse(spec) };
  const unique = new Map(errors.map((error) => [`${error.line}:${error.column}:${error.message}`, error]));
  return { ok: false, errors: [...unique.values()].sort((a, b) => a.line - b.line || a.column - b.column) };
}
