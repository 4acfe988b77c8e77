import {
  strongestAction,
  type GuardAction,
  type GuardStage,
  type GuardStageConfig,
  type GuardVerdict,
} from '../../common/guards.js';
import { scanInjection } from './injection/scan-injection.js';
import { filterOutput, type OutputFinding } from './output/filter-output.js';
import { findPii } from './pii/find-pii.js';
import { maskPii, type PiiVaultEntry } from './pii/mask-pii.js';

export interface GuardContext {
  /** The canary tokens of the run's system prompts (output stage). */
  canaries?: readonly string[];
  /** The personal data the run's input held (output stage: the answer may repeat it). */
  inputPiiValues?: readonly string[];
  /** The run's masked values so far: a value seen before keeps its placeholder. */
  vault?: readonly PiiVaultEntry[];
  /** Markup the run itself wrote into the text (its spotlight tags): hidden from the scanners, kept in the text. */
  ownMarkup?: RegExp;
}

export interface GuardResult {
  verdict: GuardVerdict;
  /** Values masked for the first time: the caller adds them to the run's vault (never to history). */
  vaultAdded: PiiVaultEntry[];
  /** The built-in layers' injection score, when the stage scans for injection: what decides whether a remote judge is asked. */
  injectionScore?: number;
}

/**
 * Runs one stage's scanners on one text and decides: the strongest action any finding called
 * for, every finding's reason, and the masked text when a `mask` rule fired. Pure and
 * deterministic: the same text, configuration and context give the same verdict, so the
 * activity that runs it may be retried freely.
 */
export function guardText(
  stage: GuardStage,
  text: string,
  config: GuardStageConfig,
  context: GuardContext = {},
): GuardResult {
  const fired: { action: GuardAction; reason: string }[] = [];
  // Blanked to spaces of the same length: every offset a scanner finds is one into `text` too.
  const scanned = context.ownMarkup
    ? text.replace(context.ownMarkup, (markup) => ' '.repeat(markup.length))
    : text;
  let injectionScore: number | undefined;
  if (config.injection) {
    const scan = scanInjection(scanned, { threshold: config.injection.threshold });
    injectionScore = scan.score;
    if (scan.injection)
      fired.push({
        action: config.injection.action,
        reason: `injection ${scan.score}: ${scan.reasons.join(', ')}`,
      });
  }
  let masked: ReturnType<typeof maskPii> | undefined;
  if (config.pii) {
    const entities = findPii(scanned, {
      threshold: config.pii.threshold,
      ...(config.pii.types ? { types: config.pii.types } : {}),
    });
    if (entities.length > 0) {
      const counts = new Map<string, number>();
      for (const entity of entities) counts.set(entity.type, (counts.get(entity.type) ?? 0) + 1);
      fired.push({
        action: config.pii.action,
        reason: `personal data: ${[...counts].map(([type, count]) => `${count} ${type}`).join(', ')}`,
      });
      if (config.pii.action === 'mask') masked = maskPii(text, entities, context.vault ?? []);
    }
  }
  if (stage === 'output') {
    // One pass of the filter with the options of the configured rules; each finding's kind names its rule.
    const rules: Record<OutputFinding['kind'], { action: GuardAction } | undefined> = {
      'canary leak': config.canary,
      'new pii': config.newPii,
      'off-list link': config.links,
      'policy phrase': config.policyPhrases,
    };
    const findings = filterOutput(scanned, {
      ...(config.canary && context.canaries ? { canaries: context.canaries } : {}),
      ...(config.newPii ? { inputPiiValues: context.inputPiiValues ?? [] } : {}),
      ...(config.links ? { allowedHosts: config.links.allowedHosts } : {}),
      ...(config.policyPhrases ? { policyPhrases: config.policyPhrases.phrases } : {}),
    });
    for (const finding of findings) {
      fired.push({ action: rules[finding.kind]!.action, reason: `${finding.kind}: ${finding.detail}` });
    }
  }
  const recorded = fired.filter((finding) => finding.action !== 'allow');
  const verdict: GuardVerdict = {
    stage,
    verdict: strongestAction(recorded.map((finding) => finding.action)),
    reasons: recorded.map((finding) => finding.reason),
    ...(masked ? { masked: masked.text, maskedCounts: masked.counts } : {}),
  };
  return {
    verdict,
    vaultAdded: masked?.added ?? [],
    ...(injectionScore !== undefined ? { injectionScore } : {}),
  };
}
