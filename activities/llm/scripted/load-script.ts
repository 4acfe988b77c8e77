import { readFile } from 'node:fs/promises';
import { describeZodIssues } from '../../../common/describe-issues.js';
import { findScriptPatternIssues } from './script-engine.js';
import { FakeLlmScriptSchema, type ParsedFakeLlmScript } from './script-schema.js';

/**
 * Validates already-parsed JSON as a fake-LLM script.
 *
 * @param source Names the script in error messages (a file path, or e.g. "POST /_fake/script").
 * @throws Error naming `source` and, one per line, each problem by its path in the script.
 */
export function parseFakeLlmScript(json: unknown, source: string): ParsedFakeLlmScript {
  const result = FakeLlmScriptSchema.safeParse(json);
  // Regexes are only known to be valid once compiled; report them with the schema issues.
  const issues = result.success
    ? findScriptPatternIssues(result.data)
    : describeZodIssues(result.error.issues, '(script)');
  if (!result.success || issues.length > 0) {
    throw new Error(`Invalid fake-llm script ${source}:\n  ${issues.join('\n  ')}`);
  }
  return result.data;
}

/**
 * Reads and validates a fake-LLM script file (JSON, see `script-schema.ts`).
 *
 * @throws Error naming the file when it cannot be read, is not JSON, or does not match the schema.
 */
export async function loadFakeLlmScript(file: string): Promise<ParsedFakeLlmScript> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(
      `Cannot read fake-llm script ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `Fake-llm script ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parseFakeLlmScript(json, file);
}
