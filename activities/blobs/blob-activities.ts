import type { BlobRef, BlobStore } from './blob-store.js';

/** Activities over the blob store itself. */
export function createBlobActivities(blobs: BlobStore) {
  return {
    /**
     * A stored text, whole: what a workflow holds only the reference and beginning of (a long
     * tool result that is a PSV run's answer). No side effects; the store checks the text
     * against its key. @throws Error (retried) when the blob is missing or unreadable.
     */
    readStoredText: (ref: BlobRef): Promise<string> => blobs.get(ref),

    /**
     * Stores a text a run keeps out of its history and result (a PSV run's attempts), and gives
     * its reference. Idempotent: the store is content-addressed, so a retry or a replayed local
     * activity writes the same blob again. @throws Error (retried) when the store cannot write.
     */
    storeText: (text: string): Promise<BlobRef> => blobs.put(text),
  };
}
