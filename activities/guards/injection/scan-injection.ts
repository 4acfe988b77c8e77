import { injectionClassifier, type InjectionClassifier } from './classifier.js';
import { decodeSegments } from './decode.js';
import { matchHeuristics, type Heuristic } from './heuristics.js';
import { normaliseForScan } from './normalise.js';
import { sentencesOf } from './sentences.js';

const round = (value: number): number => Math.round(value * 1000) / 1000;

export interface InjectionVerdict {
  injection: boolean;
  /** 0..1: the combined weight of the signals found. */
  score: number;
  /** Each signal, e.g. `instruction override`, `instruction override (in base64)`, `invisible characters`. */
  reasons: string[];
}

/**
 * The score from which a text is an injection: chosen on `npm run bench:guards` (held-back
 * attacks against benign texts), where recall is 88% and no benign set, help-centre articles
 * included, has over 1% false positives (0.35 would catch 91% and flag 6% of clean e-mails). A task asked of an assistant (translate, write code) scores 0.4 on its own: in
 * outside text that is an injection, in a user's own question it is the point (config/guards.yaml
 * raises the input stage's line to 0.5).
 */
export const defaultInjectionThreshold = 0.4;

export interface ScanInjectionOptions {
  /** A verdict is an injection at or above this score; `defaultInjectionThreshold` by default. */
  threshold?: number;
  /** The trained classifier; the committed one by default, `null` for the rule layers alone. */
  classifier?: InjectionClassifier | null;
}

/** Texts longer than this are scanned in overlapping windows, so one sentence counts at full weight. */
const windowSize = 2_000;
const windowStep = 1_500;

/** The overlapping windows a normalised text is scanned in: the whole of a short one. */
export function scanWindows(text: string): string[] {
  const windows: string[] = [];
  for (let start = 0; start === 0 || start < text.length - (windowSize - windowStep); start += windowStep)
    windows.push(text.slice(start, start + windowSize));
  return windows;
}

/**
 * Whether `text` tries to instruct the model: normalisation, then the heuristics on the text and
 * on every encoded segment decoded, and the trained classifier. Signals combine as independent
 * evidence (1 - product of (1 - weight)). Pure and deterministic.
 */
export function scanInjection(text: string, options: ScanInjectionOptions = {}): InjectionVerdict {
  const { threshold = defaultInjectionThreshold } = options;
  const classifier = options.classifier === undefined ? injectionClassifier() : options.classifier;
  const normalised = normaliseForScan(text);
  const signals = new Map<string, number>();
  const add = (reason: string, weight: number) =>
    signals.set(reason, Math.max(signals.get(reason) ?? 0, weight));

  for (const window of scanWindows(normalised.text)) {
    for (const heuristic of matchHeuristics(window)) add(heuristic.reason, heuristic.weight);
    if (classifier) {
      // The whole window, and its strongest sentence: one score, as both are the same evidence.
      const sentences = sentencesOf(window);
      const probability = Math.max(
        classifier.probability(window),
        ...(sentences.length > 1 ? sentences.map((sentence) => classifier.probability(sentence)) : []),
      );
      // Below 0.2 the classifier says no more than any ordinary text; above, it is evidence.
      if (probability >= 0.2) add('classifier', round(probability));
    }
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
  const rounded = round(score);
  return { injection: rounded >= threshold, score: rounded, reasons: [...signals.keys()] };
}
