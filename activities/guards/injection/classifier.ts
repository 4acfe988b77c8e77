/**
 * The fourth layer: a logistic-regression classifier over hashed words, word pairs and character
 * four-grams of the normalised text, trained in this project by
 * `scripts/train-injection-classifier.ts` on the attack and benign corpora of test/fixtures (the
 * held-back fifth and BIPIA's test files excepted). Its weights are `classifier-weights.json`:
 * small, and the same on every retraining. Pure and deterministic.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { fnv1a } from '../../../common/fnv1a.js';

/** Hash buckets: 2^15 features. Collisions cost little at this size of vocabulary. */
export const featureBuckets = 1 << 15;

/** A feature's bucket. */
function bucketOf(feature: string): number {
  return fnv1a(feature) % featureBuckets;
}

/**
 * The features of a (normalised) text: each word, each pair of neighbouring words and each
 * four-character slice of a word (which carries misspellings and word parts), present or not,
 * scaled to unit length so a long text weighs no more than a short one.
 */
export function featuresOf(text: string): Map<number, number> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}']+|[^\s\p{L}\p{N}]/gu) ?? [];
  const buckets = new Set<number>();
  words.forEach((word, index) => {
    buckets.add(bucketOf(`w:${word}`));
    if (index > 0) buckets.add(bucketOf(`b:${words[index - 1]} ${word}`));
    const padded = `<${word}>`;
    for (let start = 0; start + 4 <= padded.length; start += 1)
      buckets.add(bucketOf(`c:${padded.slice(start, start + 4)}`));
  });
  const value = buckets.size > 0 ? 1 / Math.sqrt(buckets.size) : 0;
  return new Map([...buckets].map((bucket) => [bucket, value]));
}

export const ClassifierWeightsSchema = z.object({
  /** What the weights were trained on, as the training script printed it. */
  trainedOn: z.record(z.string(), z.number().int()),
  buckets: z.literal(featureBuckets),
  bias: z.number(),
  /** Weights are stored as signed bytes: weight = byte * scale. */
  scale: z.number().positive(),
  /** Base64 of `buckets` signed bytes. */
  weights: z.string(),
});
export type ClassifierWeights = z.infer<typeof ClassifierWeightsSchema>;

export interface InjectionClassifier {
  /** The probability that the text is an injection, 0..1. */
  probability(text: string): number;
}

export function classifierFrom(stored: ClassifierWeights): InjectionClassifier {
  const raw = Buffer.from(stored.weights, 'base64');
  const bytes = new Int8Array(raw.buffer, raw.byteOffset, raw.length);
  if (bytes.length !== stored.buckets)
    throw new Error(`classifier weights: ${bytes.length} weights for ${stored.buckets} buckets`);
  return {
    probability(text) {
      let sum = stored.bias;
      for (const [bucket, value] of featuresOf(text)) sum += bytes[bucket]! * stored.scale * value;
      return 1 / (1 + Math.exp(-sum));
    },
  };
}

export const classifierWeightsFile = new URL('./classifier-weights.json', import.meta.url);

let loaded: InjectionClassifier | undefined;

/** The committed classifier, read once. */
export function injectionClassifier(): InjectionClassifier {
  loaded ??= classifierFrom(
    ClassifierWeightsSchema.parse(JSON.parse(readFileSync(classifierWeightsFile, 'utf8'))),
  );
  return loaded;
}
