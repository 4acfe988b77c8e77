/**
 * How an answer's citations of knowledge-base passages held up (`checkCitations`). Sandbox-safe:
 * types and pure functions only.
 */
import type { RunTotals } from './run-contract.js';

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
  /**
   * The model judge's verdict, when the run asked for one: whether the cited passages entail the
   * claim. It decides the status of a claim it judged.
   */
  entailment?: { entailed: boolean; reason: string };
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
  /** The entailment judge, when the run asked for one: its model, and why it gave no verdict, if it gave none. */
  judge?: { model: string; unusable?: string };
  /** What the judge's call cost: the run adds it to its totals and caps. */
  judgeTotals?: RunTotals;
  /** Unsupported claims taken out of the answer, when the run asked for that. */
  removed?: number;
}

/**
 * The answer without its unsupported claims (each taken out where it stands), for a run that
 * removes them; empty when nothing supported or uncited is left. Pure.
 */
export function withoutUnsupported(answer: string, report: CitationReport): string {
  let kept = answer;
  for (const claim of report.claims) if (claim.status === 'unsupported') kept = kept.replace(claim.claim, '');
  return kept
    .replace(/[ \t]+\n/g, '\n')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
