/**
 * A scripted answer's text in the pieces a stream sends it in: one word and the spaces around it,
 * as real models send small pieces. Nothing for an empty text; the pieces joined are the text.
 */
export function streamPieces(text: string): string[] {
  const pieces = text.match(/\s*\S+\s*/g);
  return pieces ?? (text === '' ? [] : [text]);
}
