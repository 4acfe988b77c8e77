import { LineCounter, parseDocument } from 'yaml';

/**
 * YAML text as a plain value, or the problem in one line: the first parse error with its line and
 * column (the ones after it are usually its echoes), or what stopped the conversion. Keys must be
 * unique. Callers put their file's path in front of the problem.
 */
export function parseYaml(text: string): { value: unknown } | { problem: string } {
  const lineCounter = new LineCounter();
  // Not yaml's pretty errors: their code frames would break the one-line-per-problem report.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = document.errors[0];
  if (yamlError) {
    const { line, col } = lineCounter.linePos(yamlError.pos[0]);
    return { problem: `not valid YAML at line ${line}, column ${col}: ${yamlError.message}` };
  }
  try {
    return { value: document.toJS() as unknown };
  } catch (error) {
    return { problem: `not valid YAML: ${(error as Error).message}` };
  }
}
