/**
 * FNV-1a over UTF-16 code units: a fast 32-bit hash, not a cryptographic one, that workflow code
 * may use too. A different `seed` gives an independent-looking hash of the same text.
 */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** `fnv1a` as eight hex digits. */
export function fnv1aHex(text: string, seed?: number): string {
  return fnv1a(text, seed).toString(16).padStart(8, '0');
}
