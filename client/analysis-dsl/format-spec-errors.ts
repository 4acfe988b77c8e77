import type { SpecError } from './syntax-errors.js';

/** `file:line:column: message` lines (the form editors and terminals link), each hint indented below. */
export function formatSpecErrors(errors: readonly SpecError[], file = 'spec'): string {
  return errors
    .map((error) => {
      const head = `${file}:${error.line}:${error.column}: ${error.message}`;
      return error.hint === undefined ? head : `${head}\n  hint: ${error.hint}`;
    })
    .join('\n');
}
