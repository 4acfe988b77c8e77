/** Observations longer than this are cut in the trace (the model still sees them whole). */
const traceObservationLimit = 2_000;

export function shortenForTrace(text: string): string {
  return text.length > traceObservationLimit
    ? `${text.slice(0, traceObservationLimit)} [... ${text.length - traceObservationLimit} more characters]`
    : text;
}
