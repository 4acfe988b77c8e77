import type { SqlDialect } from '../../../common/database.js';

/**
 * Scans the SQL text the way the database's own tokenizer does (strings, quoted identifiers,
 * comments, PostgreSQL dollar quotes) and refuses what node-sql-parser would read differently.
 *
 * Why: the parser treats `\'` as an escaped quote and `#` as a comment (MySQL habits). SQLite and
 * PostgreSQL do neither, so `SELECT 'a\' ; DELETE FROM t; --'` is one SELECT to the parser and two
 * statements to the database. This scanner is a character walk over the dialect's lexical rules,
 * not a pattern match; it also finds the end of the first statement as the database sees it.
 * Returns a reason to refuse, or undefined.
 */
export function checkLexically(sql: string, dialect: SqlDialect): string | undefined {
  let index = 0;
  let statementEnded = false;
  while (index < sql.length) {
    const char = sql[index] ?? '';
    const next = sql[index + 1] ?? '';
    if (char === '-' && next === '-') {
      const end = sql.indexOf('\n', index);
      index = end === -1 ? sql.length : end + 1;
      continue;
    }
    if (char === '/' && next === '*') {
      const end = skipBlockComment(sql, index, dialect === 'postgres');
      if (end === undefined) return 'unterminated comment';
      index = end;
      continue;
    }
    if (isWhitespace(char)) {
      index += 1;
      continue;
    }
    if (statementEnded && char !== ';') return 'more than one statement; exactly one is allowed';
    if (char === ';') {
      statementEnded = true;
      index += 1;
      continue;
    }
    if (char === '\0') return 'NUL character in the statement';
    if (char === '\\') return 'backslash outside a string';
    // SQLite reads `$name` as a parameter, the PostgreSQL grammar (see parse-statements.ts) as a
    // dollar quote; generated SQL has no use for parameters, so the ambiguity is refused.
    if (dialect === 'sqlite' && char === '$') return 'character $ is not allowed in sqlite';
    if (char === '#') return 'character # is not allowed (the parser would read it as a comment)';
    if (char === "'" || char === '"' || (dialect === 'sqlite' && char === '`')) {
      const end = sql.indexOf(char, index + 1);
      if (end === -1) return 'unterminated quoted text';
      const body = sql.slice(index + 1, end);
      if (body.includes('\\'))
        return 'backslash in quoted text (the parser and database would split it differently)';
      index = end + 1;
      continue;
    }
    if (dialect === 'sqlite' && char === '[') {
      const end = sql.indexOf(']', index + 1);
      if (end === -1) return 'unterminated [identifier]';
      index = end + 1;
      continue;
    }
    if (dialect === 'postgres' && char === '$') {
      const tagEnd = dollarTagEnd(sql, index);
      if (tagEnd !== undefined) {
        const tag = sql.slice(index, tagEnd);
        const close = sql.indexOf(tag, tagEnd);
        if (close === -1) return 'unterminated dollar-quoted string';
        if (sql.slice(tagEnd, close).includes('\\')) return 'backslash in quoted text';
        index = close + tag.length;
        continue;
      }
    }
    index += 1;
  }
  return undefined;
}

function isWhitespace(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f' || char === '\v';
}

/** PostgreSQL block comments nest; SQLite's do not. Returns the index after the comment. */
function skipBlockComment(sql: string, start: number, nests: boolean): number | undefined {
  let depth = 0;
  let index = start;
  while (index < sql.length) {
    if (sql[index] === '/' && sql[index + 1] === '*') {
      depth = nests ? depth + 1 : 1;
      index += 2;
    } else if (sql[index] === '*' && sql[index + 1] === '/') {
      depth -= 1;
      index += 2;
      if (depth === 0) return index;
    } else index += 1;
  }
  return undefined;
}

/** `$$` or `$tag$` opens a dollar-quoted string; `$1` is a parameter. Returns the index after the tag. */
function dollarTagEnd(sql: string, start: number): number | undefined {
  let index = start + 1;
  while (index < sql.length) {
    const char = sql[index] ?? '';
    if (char === '$') return index + 1;
    const letter = (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || char === '_';
    const digit = char >= '0' && char <= '9';
    if (!letter && !(digit && index > start + 1)) return undefined;
    index += 1;
  }
  return undefined;
}
