/** `1 plan`, `2 plans`: a count with its noun, for stop details and messages people read. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
