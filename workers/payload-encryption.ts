/**
 * Encrypted payloads: prompts, tool results, rows and answers never reach Temporal's history in
 * the clear. A Temporal `PayloadCodec` (it runs in the worker and the client, never in the
 * workflow sandbox) seals every payload with AES-256-GCM under a named key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { modulePath } from './project-root.js';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

// The package is CommonJS: its namespace comes through the default export.
const { temporal } = proto;

/** The encoding an encrypted payload carries; its metadata also names the key. */
export const encryptedEncoding = 'binary/encrypted';
const keyIdField = 'encryption-key-id';
const cipherField = 'encryption-cipher';
const cipher = 'AES256-GCM';
const ivBytes = 12;
const tagBytes = 16;

/** One AES-256 key and the id payloads name it by. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

const text = (value: string) => new TextEncoder().encode(value);
const fromText = (value: Uint8Array | null | undefined) =>
  value ? new TextDecoder().decode(value) : undefined;

/**
 * Keys written `id:base64key`, one per line or comma, oldest first: the last (the newest)
 * encrypts, every one decrypts, so a key is rotated by adding a new one at the end and removing
 * the old one once no history still needs it. `source` names where they came from, for errors;
 * a key is never shown in one.
 * @throws Error naming the entry when an id is missing or repeated, or a key is not 32 bytes.
 */
export function parsePayloadKeys(listing: string, source: string): PayloadKey[] {
  const entries = listing
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && !entry.startsWith('#'));
  if (entries.length === 0) throw new Error(`${source} lists no key`);
  const keys = entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon).trim() : '';
    if (id === '') throw new Error(`${source}: entry ${index + 1} has no key id (write id:base64key)`);
    const key = Buffer.from(entry.slice(colon + 1).trim(), 'base64');
    if (key.length !== 32)
      throw new Error(
        `${source}: key "${id}" is ${key.length} bytes, not 32 (an AES-256 key, base64; make one with \`openssl rand -base64 32\`)`,
      );
    return { id, key };
  });
  const ids = keys.map((key) => key.id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined) throw new Error(`${source}: key id "${repeated}" is listed twice`);
  return keys;
}

/**
 * The payload keys `env` gives: LLMOS_PAYLOAD_KEYS (the listing itself) or
 * LLMOS_PAYLOAD_KEYS_FILE (a file of it); none when neither is set (payloads stay plaintext).
 * @throws Error when both are set, the file cannot be read, or a key is malformed.
 */
export function payloadKeysFromEnv(env: NodeJS.ProcessEnv): PayloadKey[] | undefined {
  const inline = env.LLMOS_PAYLOAD_KEYS?.trim();
  const file = env.LLMOS_PAYLOAD_KEYS_FILE?.trim();
  if (inline && file) throw new Error('set LLMOS_PAYLOAD_KEYS or LLMOS_PAYLOAD_KEYS_FILE, not both');
  if (inline) return parsePayloadKeys(inline, 'LLMOS_PAYLOAD_KEYS');
  if (!file) return undefined;
  let listing: string;
  try {
    listing = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read LLMOS_PAYLOAD_KEYS_FILE ${file}: ${(error as Error).message}`);
  }
  return parsePayloadKeys(listing, `LLMOS_PAYLOAD_KEYS_FILE ${file}`);
}

/**
 * AES-256-GCM over each whole payload (metadata included), with a fresh 96-bit IV each time.
 * Encrypts with the newest key; decrypts with the key the payload names. A payload that is not
 * encrypted passes through decoding unchanged (histories from before encryption was on).
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly newest: PayloadKey;

  constructor(keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new Error('the encryption codec needs at least one key');
    this.byId = new Map(keys.map((key) => [key.id, key.key]));
    this.newest = keys.at(-1)!;
  }

  /** The key ids it can decrypt, oldest first. */
  get keyIds(): string[] {
    return [...this.byId.keys()];
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve().then(() => payloads.map((payload) => this.seal(payload)));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve().then(() => payloads.map((payload) => this.open(payload)));
  }

  private seal(payload: Payload): Payload {
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(ivBytes);
    const sealer = createCipheriv('aes-256-gcm', this.newest.key, iv);
    const sealed = Buffer.concat([iv, sealer.update(plain), sealer.final(), sealer.getAuthTag()]);
    return {
      metadata: {
        encoding: text(encryptedEncoding),
        [keyIdField]: text(this.newest.id),
        [cipherField]: text(cipher),
      },
      data: sealed,
    };
  }

  private open(payload: Payload): Payload {
    if (fromText(payload.metadata?.encoding) !== encryptedEncoding) return payload;
    const id = fromText(payload.metadata?.[keyIdField]) ?? '(none)';
    const key = this.byId.get(id);
    if (!key)
      throw new Error(
        `a payload is encrypted with key "${id}", which this process does not have (it has ${this.keyIds.join(', ')})`,
      );
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < ivBytes + tagBytes) throw new Error(`an encrypted payload (key "${id}") is truncated`);
    const opener = createDecipheriv('aes-256-gcm', key, data.subarray(0, ivBytes));
    opener.setAuthTag(data.subarray(data.length - tagBytes));
    let plain: Buffer;
    try {
      plain = Buffer.concat([opener.update(data.subarray(ivBytes, data.length - tagBytes)), opener.final()]);
    } catch {
      throw new Error(
        `an encrypted payload does not open with key "${id}": altered, or another key under that id`,
      );
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

/**
 * The module of the failure converter that moves failure messages and stack traces into an
 * encoded payload, where the codec encrypts them too (they would otherwise stay in the clear).
 * The workflow bundle and the client load it by path.
 */
export const encodedFailuresPath = modulePath('workers', 'encoded-failures');

/** The data converter of a worker or client with `keys`; without keys, the SDK's default. */
export function dataConverterFor(keys: readonly PayloadKey[] | undefined): DataConverter | undefined {
  if (!keys) return undefined;
  return { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath: encodedFailuresPath };
}
