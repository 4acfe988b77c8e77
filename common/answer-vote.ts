import { z } from 'zod';

/**
 * Final-answer extraction and majority voting for self-consistency and `llmos eval`. Pure and
 * sandbox-safe: the vote runs inside workflows, so everything here is deterministic string work.
 */

/** How answers are compared: as numbers (GSM8K-style math) or as short normalized text. */
export const AnswerKindSchema = z.enum(['number', 'text']);
export type AnswerKind = z.infer<typeof AnswerKindSchema>;

export const VoteSampleSchema = z.object({
  /** The sample's raw final answer; null when the run produced none. */
  answer: z.string().nullable(),
  /** The model's own confidence in [0, 1], when it stated one. */
  confidence: z.number().min(0).max(1).optional(),
});
export type VoteSample = z.infer<typeof VoteSampleSchema>;

export const TallyEntrySchema = z.object({
  normalized: z.string(),
  count: z.number().int().positive(),
  /** Summed sample weights; equals `count` in an unweighted vote. */
  weight: z.number().nonnegative(),
  /** Indexes into the samples, ascending. */
  sampleIndexes: z.array(z.number().int().nonnegative()),
});
export type TallyEntry = z.infer<typeof TallyEntrySchema>;

export const AnswerVoteSchema = z.object({
  /** The raw answer of the first sample in the winning group; null when no sample has an answer. */
  answer: z.string().nullable(),
  normalized: z.string().nullable(),
  /** Winning group's count over all samples (answerless ones included); 0 when no sample has an answer. */
  consistency: z.number().min(0).max(1),
  /** True when any sample carried a usable confidence, so the vote went by weight. */
  weighted: z.boolean(),
  /** Every answer group, best first. */
  tally: z.array(TallyEntrySchema),
});
export type AnswerVote = z.infer<typeof AnswerVoteSchema>;

// Line-start markers; markdown decoration (`**Final Answer:**`, `> Answer:`) is tolerated.
const answerLinePattern = /^[ \t>*_#-]*(?:final[ \t]+)?answer[ \t*_]*:[ \t*_]*(.*)$/gim;
const gsm8kLinePattern = /^[ \t]*####[ \t]*(.*)$/gm;
const confidenceLinePattern =
  /^[ \t>*_#-]*confidence[ \t*_]*[:=][ \t*_]*([-+]?(?:\d+(?:\.\d*)?|\.\d+))[ \t]*(%?)/gim;

/**
 * A number: optional sign and currency sign, thousands separators, decimals, exponent, and an
 * optional `/denominator`. It may not start inside a word or number, so `16-3` reads as 16 and 3
 * (not -3) and `H2O` holds none.
 */
const numberPattern =
  /(?<![\p{L}\p{N}.])([-+\u2212]?)(?:[$€£¥][ \t]?)?((?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?|\.\d+)(?:[eE]([-+]?\d+))?(?:[/\u2044](\d+(?:\.\d+)?))?/gu;

interface Marker {
  readonly index: number;
  readonly content: string;
}

/** The last match of a line marker; a marker alone on its line takes the next non-blank line. */
function lastLineMarker(text: string, pattern: RegExp): Marker | undefined {
  let last: Marker | undefined;
  for (const match of text.matchAll(pattern)) {
    let content = match[1] ?? '';
    if (content.trim() === '') {
      const after = text.slice(match.index + match[0].length).split('\n');
      content = after.find((line) => line.trim() !== '') ?? '';
    }
    last = { index: match.index, content };
  }
  return last;
}

/** The content of the last `\boxed{...}` (or `\fbox{...}`), braces balanced; unbalanced is no marker. */
function lastBoxed(text: string): Marker | undefined {
  const start = Math.max(text.lastIndexOf('\\boxed{'), text.lastIndexOf('\\fbox{'));
  if (start < 0) return undefined;
  const open = text.indexOf('{', start);
  let depth = 0;
  for (let index = open; index < text.length; index += 1) {
    if (text[index] === '{') depth += 1;
    if (text[index] !== '}') continue;
    depth -= 1;
    if (depth === 0) return { index: start, content: text.slice(open + 1, index) };
  }
  return undefined;
}

/** The text of the final-answer marker that appears last, if any: models restate, the last word counts. */
function markedAnswer(text: string): string | undefined {
  const markers = [
    lastLineMarker(text, answerLinePattern),
    lastLineMarker(text, gsm8kLinePattern),
    lastBoxed(text),
  ].filter((marker): marker is Marker => marker !== undefined);
  markers.sort((first, second) => second.index - first.index);
  return markers[0]?.content;
}

/** The little LaTeX models put in answers: `\frac{3}{4}`, `1{,}000`, `\text{km}`, `\$`, `\%`. */
function plainFromLatex(text: string): string {
  return text
    .replace(/\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}/g, '$1/$2')
    .replace(/\\(?:text|mathrm|textbf)\{([^{}]*)\}/g, '$1')
    .replace(/\{,\}/g, ',')
    .replace(/\\[,!;: ]/g, '')
    .replace(/\\([$%])/g, '$1');
}

function tokenValue(match: RegExpMatchArray): number | undefined {
  const [, sign, mantissa = '', exponent, denominator] = match;
  // Through one string so `1.95e+5` is parsed exactly, not as 1.95 * 10 ** 5.
  let value = Number(`${mantissa.replaceAll(',', '')}e${exponent ?? '0'}`);
  if (denominator !== undefined) value /= Number(denominator);
  if (sign === '-' || sign === '\u2212') value = -value;
  return Number.isFinite(value) ? value : undefined;
}

function numbersIn(text: string): number[] {
  const values: number[] = [];
  for (const match of plainFromLatex(text).matchAll(numberPattern)) {
    const value = tokenValue(match);
    if (value !== undefined) values.push(value);
  }
  return values;
}

/**
 * One spelling per number. 15 significant digits absorb binary noise (`0.1 + 0.2` is `0.3`) yet
 * keep every integer below 10^15 exact; `-0` is `0`, `7.50` is `7.5`, `1e3` is `1000`.
 */
function canonicalNumber(value: number): string {
  const rounded = Number(value.toPrecision(15));
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

function normalizeNumber(text: string): string | null {
  const marked = markedAnswer(text);
  // A marker is the model's commitment: its first number, or none (`Answer: unknown`) at all.
  const value = marked === undefined ? numbersIn(text).at(-1) : numbersIn(marked)[0];
  return value === undefined ? null : canonicalNumber(value);
}

const edgePunctuation = /^[\p{P}`*\s]+|[\p{P}`*\s]+$/gu;

function normalizeText(text: string): string | null {
  const collapsed = plainFromLatex(markedAnswer(text) ?? text)
    .toLowerCase()
    .replace(/\s+/gu, ' ');
  const normalized = collapsed
    .replace(edgePunctuation, '')
    .replace(/^(?:a|an|the) /, '')
    .replace(edgePunctuation, '');
  return normalized === '' ? null : normalized;
}

/**
 * The comparable form of a final answer, or null when it holds none. Both kinds first apply
 * Unicode NFKC and prefer an explicit final-answer marker: the last of an `Answer:` line (also
 * `Final answer:`), a GSM8K `#### ...` line or `\boxed{...}`.
 *
 * - `number`: the marker's first number, else the text's last number. Currency signs, thousands
 *   separators, `%` and a trailing `.` are dropped; `7.50` is `7.5`, `1e3` is `1000`, `-0` is `0`.
 *   Fractions (`3/4`, `\frac{3}{4}`) become decimals (`0.75`) so they agree with a decimal answer;
 *   mixed numbers (`1 1/2`) and decimal commas (`7,5`) are not understood.
 * - `text`: the marker's text, else the whole text; lower-cased, whitespace collapsed, edge
 *   punctuation and quotes stripped, and one leading article (a, an, the) removed.
 */
export function normalizeAnswer(text: string | null, kind: AnswerKind): string | null {
  if (text === null) return null;
  const plain = text.normalize('NFKC');
  if (plain.trim() === '') return null;
  return kind === 'number' ? normalizeNumber(plain) : normalizeText(plain);
}

/** Whether a predicted answer equals the expected one once both are normalized; no answer never matches. */
export function answersMatch(predicted: string | null, expected: string, kind: AnswerKind): boolean {
  const normalized = normalizeAnswer(predicted, kind);
  return normalized !== null && normalized === normalizeAnswer(expected, kind);
}

/**
 * The model's stated confidence from the last `Confidence: 0.8` or `Confidence: 80%` line, in [0, 1].
 * Undefined when there is none or it is out of range: a bare `80` is not read as 80%.
 */
export function parseConfidence(text: string | null): number | undefined {
  if (text === null) return undefined;
  const match = [...text.normalize('NFKC').matchAll(confidenceLinePattern)].at(-1);
  if (match === undefined) return undefined;
  const value = Number(match[1]) / (match[2] === '%' ? 100 : 1);
  return value >= 0 && value <= 1 ? value : undefined;
}

/** Confidences outside [0, 1] (or NaN) are treated as not given rather than failing the vote. */
function usableConfidence(confidence: number | undefined): number | undefined {
  return confidence !== undefined && confidence >= 0 && confidence <= 1 ? confidence : undefined;
}

// Summed float weights that a person would call equal (0.1 + 0.2 vs 0.3) count as a tie.
const weightTolerance = 1e-9;

function compareGroups(weighted: boolean) {
  return (first: TallyEntry, second: TallyEntry): number => {
    const weightDifference = second.weight - first.weight;
    if (weighted && Math.abs(weightDifference) > weightTolerance) return weightDifference;
    if (first.count !== second.count) return second.count - first.count;
    return (first.sampleIndexes[0] ?? 0) - (second.sampleIndexes[0] ?? 0);
  };
}

/**
 * Self-consistency: groups the samples by normalized answer and picks the best group.
 *
 * Unweighted (no sample carries a confidence) the largest group wins. Weighted, the heaviest
 * group wins, and a sample without a confidence weighs the mean of the confidences given: 1
 * would rank a silent sample above every sample that admitted doubt, 0 would silence it. Ties
 * go to the larger group, then to the group that appeared first. Samples without an answer
 * count in the denominator of `consistency` but never win.
 */
export function voteAnswers(samples: readonly VoteSample[], kind: AnswerKind): AnswerVote {
  const confidences = samples.map((sample) => usableConfidence(sample.confidence));
  const given = confidences.filter((confidence) => confidence !== undefined);
  const weighted = given.length > 0;
  const defaultWeight = weighted ? given.reduce((sum, value) => sum + value, 0) / given.length : 1;

  // A Map keeps insertion order, i.e. first appearance.
  const groups = new Map<string, TallyEntry>();
  samples.forEach((sample, index) => {
    const normalized = normalizeAnswer(sample.answer, kind);
    if (normalized === null) return;
    const group = groups.get(normalized) ?? { normalized, count: 0, weight: 0, sampleIndexes: [] };
    group.count += 1;
    group.weight += confidences[index] ?? defaultWeight;
    group.sampleIndexes.push(index);
    groups.set(normalized, group);
  });

  const tally = [...groups.values()].sort(compareGroups(weighted));
  const winner = tally[0];
  if (winner === undefined) return { answer: null, normalized: null, consistency: 0, weighted, tally };
  return {
    answer: samples[winner.sampleIndexes[0] ?? 0]?.answer ?? null,
    normalized: winner.normalized,
    consistency: winner.count / samples.length,
    weighted,
    tally,
  };
}
