import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBlobStore, defaultBlobDirectory, type BlobStore } from '../../activities/blobs/blob-store.js';

let directory: string;
let store: BlobStore;

before(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'llmos-blobs-'));
  store = createBlobStore(directory);
});
after(async () => {
  await rm(directory, { recursive: true, force: true });
});

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Every file under `folder`, relative to it. */
async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)));
}

void describe('blob store', () => {
  void it('stores text under its SHA-256 in two levels of folders and reads it back', async () => {
    const text = 'Clause 7: either party may terminate — with “notice”.';
    const ref = await store.put(text);
    const hex = sha256(text);
    assert.deepEqual(ref, { key: `sha256:${hex}`, bytes: Buffer.byteLength(text, 'utf8') });
    assert.equal(await store.get(ref), text);
    assert.equal(await store.get(ref.key), text);
    assert.equal(await store.has(ref), true);
    assert.ok((await filesUnder(directory)).includes(path.join(hex.slice(0, 2), hex.slice(2, 4), hex)));
  });

  void it('is idempotent: the same text twice is one blob', async () => {
    const first = await store.put('same text');
    const second = await store.put('same text');
    assert.deepEqual(second, first);
    const hex = sha256('same text');
    assert.equal((await filesUnder(directory)).filter((file) => file.endsWith(hex)).length, 1);
  });

  void it('survives concurrent puts of the same text and leaves no temporary files', async () => {
    const text = 'x'.repeat(200_000);
    const refs = await Promise.all(Array.from({ length: 20 }, () => store.put(text)));
    assert.equal(new Set(refs.map((ref) => ref.key)).size, 1);
    assert.equal(await store.get(refs[0]!), text);
    assert.deepEqual(
      (await filesUnder(directory)).filter((file) => file.endsWith('.tmp')),
      [],
    );
  });

  void it('stores the empty text and text outside the BMP', async () => {
    assert.equal(await store.get(await store.put('')), '');
    assert.equal(await store.get(await store.put('😀 ünïcödé')), '😀 ünïcödé');
  });

  void it('detects a corrupt blob', async () => {
    const ref = await store.put('original text');
    const hex = ref.key.slice('sha256:'.length);
    const file = path.join(directory, hex.slice(0, 2), hex.slice(2, 4), hex);
    await writeFile(file, 'tampered text');
    await assert.rejects(store.get(ref), /corrupt/);
    assert.equal(await readFile(file, 'utf8'), 'tampered text');
  });

  void it('reports a missing blob and a malformed key clearly', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    assert.equal(await store.has(missing), false);
    await assert.rejects(store.get(missing), /blob sha256:0{64} is missing/);
    await assert.rejects(store.get('md5:abc'), /not a blob key/);
  });

  void it('defaults to the git-ignored local state folder', () => {
    assert.match(defaultBlobDirectory, /[/\\]\.llmos[/\\]blobs$/);
  });
});
