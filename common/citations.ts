/**
 * How an answer's citations of knowledge-base passages held up (`checkCitations`). Sandbox-safe:
 * types only.
 */

/** One claim (a sentence) of the answer, and what its citations show. */
export interface ClaimCheck {
  claim: string;
  /** The passage ids it cites, `[document#chunk]`. */
  cited: string[];
  /**
   * `supported`: its words and quotes are in the passages it cites; `unsupported`: they are not;
   * `uncited`: it cites nothing; `invalid`: it cites a passage the run never retrieved.
   */
  status: 'supported' | 'unsupported' | 'uncited' | 'invalid';
  /** The share of its content words found in the passages it cites (0..1). */
  overlap: number;
  /** Quoted text ("...") not found in any passage it cites. */
  quotesNotFound?: string[];
}

export interface CitationReport {
  claims: ClaimCheck[];
  /** Passages the run retrieved, which its answer may cite. */
  retrieved: number;
  /** Cited ids that were never retrieved: the answer is then not an answer (`CitationInvalid`). */
  invalid: string[];
  supported: number;
  unsupported: number;
  uncited: number;
}
