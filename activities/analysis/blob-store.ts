import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BlobRef } from '../../common/blob-ref.js';

export type { BlobRef };

/**
 * A content-addressed store for large texts (documents, chunk results), so workflow history holds
 * a small reference instead of the text. The key is the SHA-256 of the UTF-8 bytes: writing the
 * same text twice is a no-op, and a read proves the bytes are the ones that were written.
 */
export type BlobStore = {
  readonly directory: string;
  put(text: string): Promise<BlobRef>;
  get(ref: BlobRef | string): Promise<string>;
  has(ref: BlobRef | string): Promise<boolean>;
};

/** Git-ignored local state: `.llmos/blobs` under the project root. */
export const defaultBlobDirectory = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '.llmos',
  'blobs',
);

const keyPattern = /^sha256:([0-9a-f]{64})$/;

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hexOf(ref: BlobRef | string): string {
  const key = typeof ref === 'string' ? ref : ref.key;
  const hex = keyPattern.exec(key)?.[1];
  if (hex === undefined)
    throw new Error(`not a blob key: ${JSON.stringify(key)} (expected sha256:<64 hex digits>)`);
  return hex;
}

export function createBlobStore(directory: string = defaultBlobDirectory): BlobStore {
  // Two levels of fan-out (ab/cd/abcd...) keep any one folder small.
  const pathOf = (hex: string): string => path.join(directory, hex.slice(0, 2), hex.slice(2, 4), hex);

  async function exists(file: string): Promise<boolean> {
    try {
      return (await stat(file)).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  return {
    directory,

    async put(text) {
      const data = Buffer.from(text, 'utf8');
      const hex = sha256Hex(data);
      const ref: BlobRef = { key: `sha256:${hex}`, bytes: data.length };
      const file = pathOf(hex);
      if (await exists(file)) return ref;
      await mkdir(path.dirname(file), { recursive: true });
      // Write beside the target, then rename: readers never see a half-written blob, and
      // concurrent writers of the same text each rename identical bytes into place.
      const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
      try {
        await writeFile(temporary, data, { flag: 'wx' });
        await rename(temporary, file);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      return ref;
    },

    async get(ref) {
      const hex = hexOf(ref);
      const file = pathOf(hex);
      let data: Buffer;
      try {
        data = await readFile(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new Error(`blob sha256:${hex} is missing from ${directory}`);
        }
        throw error;
      }
      const actual = sha256Hex(data);
      if (actual !== hex) {
        throw new Error(
          `blob sha256:${hex} in ${directory} is corrupt: its content hashes to sha256:${actual}`,
        );
      }
      return data.toString('utf8');
    },

    async has(ref) {
      return exists(pathOf(hexOf(ref)));
    },
  };
}
