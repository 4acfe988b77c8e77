import type { Client } from '@temporalio/client';

/**
 * How long a listing (hand-offs, approvals) waits for one run's answer to a query. A run whose
 * workers are gone is answered only when the server gives up on it: it must not hold up the list
 * of all the others. A run that does not answer in time is left out of this listing, not lost.
 */
export const listingQueryMs = 3_000;

/** `query` with the listing's deadline. */
export function queryBriefly<T>(client: Client, query: () => Promise<T>): Promise<T> {
  return client.withDeadline(Date.now() + listingQueryMs, query);
}
