/** The object `text` encodes as JSON, or undefined when it is not JSON or not an object (arrays and null are not). */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Not JSON at all.
  }
  return undefined;
}
