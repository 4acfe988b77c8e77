import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BlobRef } from '../../common/blob-ref.js';
import { blobOf, hexOf, verifiedText } from './blob-key.js';

export type { BlobRef };

/**
 * A content-addressed store for large texts (documents, chunk results, conversations), so workflow
 * history holds a small reference instead of the text. The key is the SHA-256 of the UTF-8 bytes:
 * writing the same text twice is a no-op, and a read proves the bytes are the ones that were
 * written. A folder (`createBlobStore`) serves the workers of one machine or a shared volume;
 * Redis (`connectRedisBlobStore`) serves workers anywhere.
 */
export type BlobStore = {
  /** Where the blobs are, for messages: a folder or a Redis URL without its password. */
  readonly location: string;
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
    location: directory,

    async put(text) {
      const { data, hex, ref } = blobOf(text);
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
      return verifiedText(hex, data, directory);
    },

    async has(ref) {
      return exists(pathOf(hexOf(ref)));
    },
  };
}
