import { Context } from '@temporalio/activity';
import type { AuditEntry, AuditKind } from '../../common/audit.js';
import {
  strongestAction,
  type GuardAction,
  type GuardConfig,
  type GuardRun,
  type GuardStage,
  type GuardStageConfig,
  type GuardStep,
} from '../../common/guards.js';
import type { RunTotals } from '../../common/run-contract.js';
import { addTotals } from '../../common/run-totals.js';
import type { RemoteJudges } from './remote/remote-judges.js';
import type { AuditLog } from '../audit/audit-log.js';
import { spotlightBoundary, spotlightTags } from '../../common/spotlight.js';
import { guardText } from './guard-text.js';
import { guardProfileFor } from './load-guard-config.js';
import { redactPii, type PiiVaultEntry } from './pii/mask-pii.js';
import type { PiiVault } from './vault/pii-vault.js';

/** Where a guard step ran, for its audit records: stable across retries of its activity. */
export interface GuardPlace {
  workflowId: string;
  runId: string;
  /** Unique in the run and the same on a retry, e.g. the activity id. */
  step: string;
  /** The run's tenant, whose retention applies to the records (absent: the default's). */
  tenant?: string | undefined;
}

/** The place of the activity running now: its run, its activity id, and the run's tenant. */
export function currentGuardPlace(tenant?: string): GuardPlace {
  const { workflowExecution, activityId } = Context.current().info;
  return {
    workflowId: workflowExecution?.workflowId ?? 'standalone',
    runId: workflowExecution?.runId ?? 'standalone',
    step: activityId,
    ...(tenant !== undefined ? { tenant } : {}),
  };
}

export interface GuardOutcome {
  step: GuardStep;
  /** The text to go on with: masked when a `mask` rule fired, else the text as it came. */
  text: string;
}

/**
 * The guard pipeline as activities run it: the profile of the run's tenant, the run's vault (a
 * masked value keeps its placeholder in every text of the run, and the value never leaves the
 * vault) and the audit trail (each verdict and the counts it masked, never the values).
 * Idempotent: a retried step finds its values in the vault and its records in the trail by key.
 */
export class GuardService {
  /** The stores are asked for at each check, so a worker may open them on first use. */
  constructor(
    private readonly config: GuardConfig,
    private readonly stores: { vault: () => PiiVault; audit: () => AuditLog },
    /** The remote judges the configuration names; a rule that names one fails without them. */
    private readonly judges?: RemoteJudges,
  ) {}

  /** The same pipeline, with its remote judges: made once the worker's model calls exist. */
  withJudges(judges: RemoteJudges): GuardService {
    return new GuardService(this.config, this.stores, judges);
  }

  /** The remote judges the configuration defines, by name: what `createRemoteJudges` needs. */
  get judgeConfig(): GuardConfig['judges'] {
    return this.config.judges;
  }

  /** A run's masked values: what restores its placeholders where the real value is needed (an SQL literal). */
  vaultEntries(vaultId: string): Promise<PiiVaultEntry[]> {
    return this.stores.vault().entries(vaultId);
  }

  /**
   * Judges one text of a run at one stage, masks it, and records the verdict. `boundary`: the
   * run's spotlight boundary, when the text holds its tags (a tool's result), which the scanners
   * then skip.
   */
  async check(
    stage: GuardStage,
    subject: string,
    text: string,
    run: GuardRun,
    place: GuardPlace,
    boundary?: string,
  ): Promise<GuardOutcome> {
    const stageConfig = guardProfileFor(this.config, run.tenant)[stage];
    const judge = (entries: PiiVaultEntry[]) => {
      const result = guardText(stage, text, stageConfig, {
        vault: entries,
        inputPiiValues: entries.map((entry) => entry.value),
        ...(run.canaries ? { canaries: run.canaries } : {}),
        ...(boundary ? { ownMarkup: spotlightTags(boundary) } : {}),
      });
      return { result, added: result.vaultAdded };
    };
    // Only a stage that masks adds to the vault and needs its write lock; one that judges new
    // personal data reads it; any other leaves it alone.
    const vault = this.stores.vault();
    const judged =
      stageConfig.pii?.action === 'mask'
        ? await vault.update(run.vaultId, judge, { tenant: run.tenant })
        : judge(stageConfig.newPii ? await vault.entries(run.vaultId) : []).result;
    const { masked, ...verdict } = judged.verdict;
    // The judges read the text as the stage lets it go on: masked, so they see no personal data.
    const remote = await this.askJudges(stageConfig, masked ?? text, judged.injectionScore ?? 0, place);
    const step: GuardStep = {
      ...verdict,
      verdict: strongestAction([verdict.verdict, ...remote.fired.map((finding) => finding.action)]),
      reasons: [...verdict.reasons, ...remote.fired.map((finding) => finding.reason)],
      ...(remote.totals ? { judgeTotals: remote.totals } : {}),
      subject,
    };
    const at = { ...place, tenant: run.tenant };
    const entries = [
      auditEntry(at, 'guard', `guard-${stage}`, {
        stage,
        subject,
        verdict: step.verdict,
        reasons: step.reasons,
        ...(step.judgeTotals ? { judgeCostUsd: step.judgeTotals.costUsd } : {}),
      }),
    ];
    if (step.maskedCounts)
      entries.push(
        auditEntry(at, 'pii-masked', `masked-${stage}`, { stage, subject, counts: step.maskedCounts }),
      );
    await this.stores.audit().append(entries);
    return { step, text: masked ?? text };
  }

  /**
   * The stage's remote judges on `text`: the injection judge when the built-in layers scored the
   * text at least its `from`, and the policy judge on an answer. A reply that is no verdict is a
   * flag, never a pass.
   */
  private async askJudges(
    stageConfig: GuardStageConfig,
    text: string,
    injectionScore: number,
    place: GuardPlace,
  ): Promise<{ fired: { action: GuardAction; reason: string }[]; totals?: RunTotals }> {
    const { injection, policyPhrases } = stageConfig;
    const asking = [
      ...(injection?.remote && injectionScore >= injection.remote.from ? ['injection' as const] : []),
      ...(policyPhrases?.judge ? ['policy' as const] : []),
    ];
    if (asking.length === 0) return { fired: [] };
    const judges = this.judges;
    if (!judges) throw new Error('the guard configuration names remote judges, but this worker has none');
    const boundary = spotlightBoundary(place.runId);
    const fired: { action: GuardAction; reason: string }[] = [];
    let totals: RunTotals | undefined;
    const count = (judgement: { totals?: RunTotals }) => {
      if (judgement.totals) totals = totals ? addTotals(totals, judgement.totals) : judgement.totals;
    };
    if (injection?.remote && asking.includes('injection')) {
      const name = injection.remote.judge;
      const judgement = await judges.injection(name, text, boundary);
      count(judgement);
      if ('unusable' in judgement)
        fired.push({ action: 'flag', reason: `judge ${name} gave no verdict: ${judgement.unusable}` });
      else if (judgement.injection)
        fired.push({
          action: injection.action,
          reason: `injection (judge ${name}) ${judgement.score}: ${judgement.reason}`,
        });
    }
    if (policyPhrases?.judge && asking.includes('policy')) {
      const name = policyPhrases.judge;
      const judgement = await judges.policy(name, text, policyPhrases.phrases, boundary);
      count(judgement);
      if ('unusable' in judgement)
        fired.push({ action: 'flag', reason: `judge ${name} gave no verdict: ${judgement.unusable}` });
      else
        for (const broken of judgement.broken)
          fired.push({
            action: policyPhrases.action,
            reason: `policy phrase (judge ${name}): ${broken.id}: ${broken.reason}`,
          });
    }
    return {
      fired: fired.filter((finding) => finding.action !== 'allow'),
      ...(totals ? { totals } : {}),
    };
  }

  /**
   * Records one event of a run in the audit trail (a tool call, an SQL statement). The caller
   * passes text the models wrote, which holds placeholders; any personal data left in it is
   * replaced by its type (`redactPii`) here. Idempotent: one record per place and name.
   */
  async record(
    kind: AuditKind,
    detail: Record<string, string | number | boolean>,
    place: GuardPlace,
    /** Tells apart two records of one kind at one place. */
    name: string = kind,
  ): Promise<void> {
    const redacted = Object.fromEntries(
      Object.entries(detail).map(([key, value]) => [
        key,
        typeof value === 'string' ? redactPii(value) : value,
      ]),
    );
    await this.stores.audit().append([auditEntry(place, kind, name, redacted)]);
  }
}

/** An audit entry of the step at `place`, keyed so a retry of the step records it once. */
function auditEntry(
  place: GuardPlace,
  kind: AuditKind,
  suffix: string,
  detail: AuditEntry['detail'],
): AuditEntry {
  return {
    key: `${place.workflowId}/${place.runId}/${place.step}/${suffix}`,
    workflowId: place.workflowId,
    runId: place.runId,
    kind,
    detail,
    ...(place.tenant !== undefined ? { tenant: place.tenant } : {}),
  };
}
