import { leaksCanary } from '../../../common/canary.js';
import type { PiiType } from '../../../common/pii.js';
import { findPii } from '../pii/find-pii.js';

/** A rule on what an answer may say, e.g. no promise of a refund without an approval. */
export interface PolicyPhrase {
  id: string;
  /** A regular expression, matched case-insensitively. */
  pattern: string;
  /** Shown as the reason when the answer matches. */
  message: string;
}

export interface OutputFilterOptions {
  /** The canary tokens of the run's system prompts. */
  canaries?: readonly string[];
  /** The values of the personal data the input held: the answer may repeat those, no others. */
  inputPiiValues?: readonly string[];
  /** Hosts links and images may point to; any other host is a way out for data. */
  allowedHosts?: readonly string[];
  policyPhrases?: readonly PolicyPhrase[];
}

export interface OutputFinding {
  kind: 'canary leak' | 'new pii' | 'off-list link' | 'policy phrase';
  detail: string;
}

/** Markdown links and images, and bare URLs. */
const markdownLink = /(!?)\[[^\]]*\]\(\s*<?([^)\s>]+)>?[^)]*\)/g;
const bareUrl = /\bhttps?:\/\/[^\s<>()"'\]]+/gi;

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

const canonicalValue = (value: string) => value.replace(/[\s().-]/g, '').toLowerCase();

/**
 * What is wrong with a model's answer before anyone sees it: the system prompt's canary, personal
 * data the input did not hold (a leak from elsewhere, or made up), links and images to hosts off
 * the allow-list (a Markdown image with data in its URL sends that data out as soon as it is
 * shown), and the policy's phrases. Pure and deterministic.
 */
export function filterOutput(output: string, options: OutputFilterOptions = {}): OutputFinding[] {
  const findings: OutputFinding[] = [];
  if (options.canaries?.some((token) => leaksCanary(output, token))) {
    findings.push({ kind: 'canary leak', detail: "the answer repeats the system prompt's canary token" });
  }
  if (options.inputPiiValues) {
    const known = new Set(options.inputPiiValues.map(canonicalValue));
    const fresh = new Map<PiiType, number>();
    for (const entity of findPii(output)) {
      if (!known.has(canonicalValue(output.slice(entity.start, entity.end)))) {
        fresh.set(entity.type, (fresh.get(entity.type) ?? 0) + 1);
      }
    }
    for (const [type, count] of fresh)
      findings.push({ kind: 'new pii', detail: `${count} ${type} not in the input` });
  }
  if (options.allowedHosts) {
    const allowed = new Set(options.allowedHosts.map((host) => host.toLowerCase()));
    const seen = new Set<string>();
    const check = (url: string, image: boolean) => {
      const host = hostOf(url);
      if (host === undefined || allowed.has(host) || seen.has(`${image}:${host}`)) return;
      seen.add(`${image}:${host}`);
      findings.push({ kind: 'off-list link', detail: `${image ? 'image' : 'link'} to ${host}` });
    };
    for (const match of output.matchAll(markdownLink)) check(match[2]!, match[1] === '!');
    for (const [url] of output.replace(markdownLink, ' ').matchAll(bareUrl)) check(url, false);
  }
  for (const phrase of options.policyPhrases ?? []) {
    if (new RegExp(phrase.pattern, 'i').test(output)) {
      findings.push({ kind: 'policy phrase', detail: `${phrase.id}: ${phrase.message}` });
    }
  }
  return findings;
}
