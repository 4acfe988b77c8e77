import type { RemoteJudge } from '../../../common/guards.js';
import type { RunTotals } from '../../../common/run-contract.js';
import type { PolicyPhrase } from '../output/filter-output.js';
import { askHttpJudge } from './http-judge.js';
import type { ModelJudgeServices } from './model-judge.js';
import { askModelJudge, askModelPolicyJudge } from './model-judge.js';

/** A remote judge's answer on one text: the same three parts the built-in scan gives. */
export interface InjectionJudgement {
  injection: boolean;
  /** 0..1. */
  score: number;
  reason: string;
  /** A model judge's call: tokens and cost, which the run counts with its own. */
  totals?: RunTotals;
}

/** A model judge's reading of an answer against the policy's phrases: the ones it breaks. */
export interface PolicyJudgement {
  broken: { id: string; reason: string }[];
  totals?: RunTotals;
}

/** What a judge asked for a verdict gave back when its reply was no verdict: recorded, never taken as one. */
export interface NoJudgement {
  unusable: string;
  totals?: RunTotals;
}

/**
 * The guard pipeline's remote judges, by name: asked inside the activity that runs the guard
 * step, so their answers are recorded with the step's verdict and a replay never asks again.
 * Each call may fail and is then retried with its activity (Temporal is the only retry layer); a
 * judge that refuses the request (a bad key) fails with the non-retryable `JudgeRejected`.
 */
export interface RemoteJudges {
  injection(name: string, text: string, boundary: string): Promise<InjectionJudgement | NoJudgement>;
  policy(
    name: string,
    answer: string,
    phrases: readonly PolicyPhrase[],
    boundary: string,
  ): Promise<PolicyJudgement | NoJudgement>;
}

export function createRemoteJudges(
  judges: Readonly<Record<string, RemoteJudge>>,
  services: ModelJudgeServices & { fetch?: typeof fetch; env?: NodeJS.ProcessEnv },
): RemoteJudges {
  const judgeNamed = (name: string): RemoteJudge => {
    const judge = judges[name];
    // The configuration schema checks every name a rule uses, so this is a caller's mistake.
    if (!judge) throw new Error(`no remote judge is named "${name}"`);
    return judge;
  };
  return {
    injection(name, text, boundary) {
      const judge = judgeNamed(name);
      return judge.kind === 'model'
        ? askModelJudge(judge, text, boundary, services)
        : askHttpJudge(judge, text, { fetch: services.fetch ?? fetch, env: services.env ?? process.env });
    },
    policy(name, answer, phrases, boundary) {
      const judge = judgeNamed(name);
      if (judge.kind !== 'model') throw new Error(`the judge "${name}" cannot read an answer against policy`);
      return askModelPolicyJudge(judge, answer, phrases, boundary, services);
    },
  };
}
