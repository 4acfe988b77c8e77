import type { PiiEntity, PiiType } from '../../../common/pii.js';
import { findPii } from './find-pii.js';

/** One masked value of a run: what went to the provider in its place, and what it was. */
export interface PiiVaultEntry {
  placeholder: string;
  type: PiiType;
  value: string;
}

/** The short names placeholders use: `<EMAIL_1>`, `<PHONE_2>`. */
const placeholderName: Record<PiiType, string> = {
  EMAIL_ADDRESS: 'EMAIL',
  PHONE_NUMBER: 'PHONE',
  CREDIT_CARD: 'CARD',
  IBAN_CODE: 'IBAN',
  US_SSN: 'SSN',
  IP_ADDRESS: 'IP',
  PERSON: 'PERSON',
  LOCATION: 'LOCATION',
};

/** Two spellings of one value are one value: digits only for numbers, lower case for the rest. */
function canonical(type: PiiType, value: string): string {
  if (type === 'PHONE_NUMBER' || type === 'CREDIT_CARD' || type === 'US_SSN') return value.replace(/\D/g, '');
  return value.replace(/\s/g, '').toLowerCase();
}

export interface MaskResult {
  text: string;
  /** Entries this call added to the run's vault (values seen for the first time). */
  added: PiiVaultEntry[];
  /** How many entities of each type were masked: what an audit record may hold. */
  counts: Partial<Record<PiiType, number>>;
}

/**
 * `text` with each entity replaced by a placeholder. The same value gets the same placeholder in
 * every text of a run (`vault` holds the run's entries so far), so the model can still tell two
 * people or two cards apart. Pure and deterministic.
 */
export function maskPii(
  text: string,
  entities: readonly PiiEntity[],
  vault: readonly PiiVaultEntry[] = [],
): MaskResult {
  const byValue = new Map(
    vault.map((entry) => [`${entry.type}:${canonical(entry.type, entry.value)}`, entry]),
  );
  const next = new Map<PiiType, number>();
  for (const entry of vault) {
    const number = Number(/_(\d+)>$/.exec(entry.placeholder)?.[1] ?? 0);
    next.set(entry.type, Math.max(next.get(entry.type) ?? 0, number));
  }
  const added: PiiVaultEntry[] = [];
  const counts: Partial<Record<PiiType, number>> = {};
  let masked = '';
  let position = 0;
  for (const entity of [...entities].sort((a, b) => a.start - b.start)) {
    if (entity.start < position) continue;
    const value = text.slice(entity.start, entity.end);
    const key = `${entity.type}:${canonical(entity.type, value)}`;
    let entry = byValue.get(key);
    if (!entry) {
      const number = (next.get(entity.type) ?? 0) + 1;
      next.set(entity.type, number);
      entry = { placeholder: `<${placeholderName[entity.type]}_${number}>`, type: entity.type, value };
      byValue.set(key, entry);
      added.push(entry);
    }
    counts[entity.type] = (counts[entity.type] ?? 0) + 1;
    masked += text.slice(position, entity.start) + entry.placeholder;
    position = entity.end;
  }
  return { text: masked + text.slice(position), added, counts };
}

/** `text` with every placeholder of the vault put back to its value (the answer shown to the user). */
export function unmaskPii(text: string, vault: readonly PiiVaultEntry[]): string {
  if (vault.length === 0) return text;
  const values = new Map(vault.map((entry) => [entry.placeholder, entry.value]));
  return text.replace(/<[A-Z]+_\d+>/g, (placeholder) => values.get(placeholder) ?? placeholder);
}

/** `value` with every string in it unmasked (`unmaskPii`), at any depth: a report for the user. */
export function unmaskDeep<T>(value: T, vault: readonly PiiVaultEntry[]): T {
  if (vault.length === 0) return value;
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return unmaskPii(item, vault);
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === 'object')
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]));
    return item;
  };
  return walk(value) as T;
}

/** `text` with each entity `findPii` finds replaced by its type (`<EMAIL_ADDRESS>`): for a record that must hold no value. */
export function redactPii(text: string): string {
  let redacted = '';
  let position = 0;
  for (const entity of findPii(text)) {
    if (entity.start < position) continue;
    redacted += `${text.slice(position, entity.start)}<${entity.type}>`;
    position = entity.end;
  }
  return redacted + text.slice(position);
}
