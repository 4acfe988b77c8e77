import { decodeSegments } from './decode.js';
import { matchHeuristics, type Heuristic } from './heuristics.js';
import { normaliseForScan } from './normalise.js';

export interface InjectionVerdict {
  injection: boolean;
  /** 0..1: the combined weight of the signals found. */
  score: number;
  /** Each signal, e.g. `instruction override`, `instruction override (in base64)`, `invisible characters`. */
  reasons: string[];
}

export interface ScanInjectionOptions {
  /** A verdict is an injection at or above this score; 0.5 by default. */
  threshold?: number;
}

/** Texts longer than this are scanned in overlapping windows, so one sentence counts at full weight. */
const windowSize = 2_000;
const windowStep = 1_500;

/**
 * Whether `text` tries to instruct the model, by the deterministic layers: normalisation, then
 * the heuristics on the text and on every encoded segment decoded. Signals combine as
 * independent evidence (1 - product of (1 - weight)). Pure and deterministic.
 */
export function scanInjection(text: string, options: ScanInjectionOptions = {}): InjectionVerdict {
  const { threshold = 0.5 } = options;
  const normalised = normaliseForScan(text);
  const signals = new Map<string, number>();
  const add = (reason: string, weight: number) =>
    signals.set(reason, Math.max(signals.get(reason) ?? 0, weight));

  for (
    let start = 0;
    start === 0 || start < normalised.text.length - (windowSize - windowStep);
    start += windowStep
  ) {
    const window = normalised.text.slice(start, start + windowSize);
    for (const heuristic of matchHeuristics(window)) add(heuristic.reason, heuristic.weight);
    for (const segment of decodeSegments(window)) {
      const hits: Heuristic[] = matchHeuristics(segment.text);
      // Hiding an instruction in an encoding is a signal of its own.
      for (const heuristic of hits)
        add(`${heuristic.reason} (in ${segment.encoding})`, Math.min(1, heuristic.weight + 0.1));
    }
  }
  if (normalised.bidi > 0) add('bidirectional controls', 0.3);
  if (normalised.invisible > 2) add('invisible characters', 0.2);
  if (normalised.mixedScriptWords > 0) add('look-alike letters', 0.3);

  const score = 1 - [...signals.values()].reduce((product, weight) => product * (1 - weight), 1);
  const rounded = Math.round(score * 1000) / 1000;
  return { injection: rounded >= threshold, score: rounded, reasons: [...signals.keys()] };
}
