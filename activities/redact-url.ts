/**
 * A URL with any password replaced by `***`, fit for an error message, a log or a result. A
 * string that does not parse as a URL is not shown at all: where its password is cannot be known.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an invalid URL)';
  }
}
