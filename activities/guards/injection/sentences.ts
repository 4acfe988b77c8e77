/**
 * The sentences of a text worth scoring alone: split after `.`, `!` or `?` and at line breaks,
 * those of 20 characters or more. An instruction put into an e-mail or a page is one sentence
 * among many, and scored alone it is not drowned by the rest.
 */
export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+|\|/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length >= 20);
}
