import type { DocumentResult } from '../../common/analysis-report.js';
import type { BlobRef } from '../../common/blob-ref.js';
import type { BlobStore } from '../blobs/blob-store.js';
import { DocumentResultSchema } from './report/report-schema.js';

/** A document's merged fields as `storeDocumentResult` kept them, validated on the way back in. */
export async function loadDocumentResult(blobs: BlobStore, ref: BlobRef): Promise<DocumentResult> {
  return DocumentResultSchema.parse(JSON.parse(await blobs.get(ref)));
}
