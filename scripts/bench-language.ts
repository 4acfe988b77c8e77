/**
 * Language detection on short texts, the customer-service job's first question of a message:
 *
 *   npm run bench:language
 *
 * Three maintained pure-JavaScript detectors (eld with each of its databases), side by side in one run, on 3,060 titles and
 * paragraphs of GNOME's help in 17 languages (test/fixtures/languages/): the share each names
 * right, by length (up to 30 characters, 31 to 80, 81 to 200) and by language, and how many
 * texts a second it reads. franc answers in ISO 639-3 and is mapped to 639-1 for the 17.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eld as eldLarge } from 'eld/large';
import { eld as eldMedium } from 'eld/medium';
import { eld as eldSmall } from 'eld/small';
import { franc } from 'franc';
import { detect as tinyld } from 'tinyld';
import { projectRoot } from '../workers/project-root.js';

interface Labelled {
  language: string;
  text: string;
}

const texts = readFileSync(path.join(projectRoot, 'test/fixtures/languages/gnome-help-short.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Labelled);

/** franc's ISO 639-3 codes of the measured languages. */
const fromIso6393: Record<string, string> = {
  eng: 'en',
  deu: 'de',
  fra: 'fr',
  spa: 'es',
  ita: 'it',
  por: 'pt',
  nld: 'nl',
  pol: 'pl',
  swe: 'sv',
  ces: 'cs',
  hun: 'hu',
  rus: 'ru',
  ukr: 'uk',
  ell: 'el',
  jpn: 'ja',
  cmn: 'zh',
  kor: 'ko',
};

const detectors: Record<string, (text: string) => string> = {
  'eld (large database)': (text) => eldLarge.detect(text).language,
  'eld (medium)': (text) => eldMedium.detect(text).language,
  'eld (small)': (text) => eldSmall.detect(text).language,
  franc: (text) => fromIso6393[franc(text, { minLength: 1 })] ?? 'und',
  tinyld: (text) => tinyld(text),
};

const bands = [
  ['up to 30 characters', 1, 30],
  ['31 to 80', 31, 80],
  ['81 to 200', 81, 200],
] as const;
const percent = (right: number, of: number) => `${((right / of) * 100).toFixed(1)}%`;
const languages = [...new Set(texts.map((text) => text.language))];

const answers = Object.fromEntries(
  Object.entries(detectors).map(([name, detect]) => [name, texts.map((text) => detect(text.text))]),
);
console.log(`Language detection on ${texts.length} short texts in ${languages.length} languages\n`);
console.log(`| detector | ${bands.map(([label]) => label).join(' | ')} | all | texts a second |`);
console.log(`|---|${bands.map(() => '---|').join('')}---|---|`);
for (const [name, detect] of Object.entries(detectors)) {
  const given = answers[name]!;
  const right = (keep: (text: Labelled) => boolean) => {
    const chosen = texts.map((text, index) => ({ text, index })).filter(({ text }) => keep(text));
    return percent(chosen.filter(({ text, index }) => given[index] === text.language).length, chosen.length);
  };
  const started = performance.now();
  let read = 0;
  while (performance.now() - started < 1_000) {
    for (const text of texts) detect(text.text);
    read += texts.length;
  }
  const perSecond = Math.round(read / ((performance.now() - started) / 1_000));
  console.log(
    `| ${name} | ${bands.map(([, min, max]) => right((text) => [...text.text].length >= min && [...text.text].length <= max)).join(' | ')} | ${right(() => true)} | ${perSecond} |`,
  );
}
console.log(`\nBy language, all lengths\n`);
console.log(`| language | ${Object.keys(detectors).join(' | ')} |`);
console.log(
  `|---|${Object.keys(detectors)
    .map(() => '---|')
    .join('')}`,
);
for (const language of languages) {
  const cells = Object.keys(detectors).map((name) => {
    const given = answers[name]!;
    const chosen = texts
      .map((text, index) => ({ text, index }))
      .filter(({ text }) => text.language === language);
    return percent(chosen.filter(({ index }) => given[index] === language).length, chosen.length);
  });
  console.log(`| ${language} | ${cells.join(' | ')} |`);
}

// Each eld database's heap, loaded alone in a fresh process (the others would blur it).
console.log('\nHeap of each eld database, loaded in a fresh Node process\n');
console.log('| database | heap |');
console.log('|---|---|');
for (const size of ['large', 'medium', 'small']) {
  const script = `const before = process.memoryUsage().heapUsed; const { eld } = await import('eld/${size}'); eld.detect('hallo'); globalThis.gc(); console.log(process.memoryUsage().heapUsed - before);`;
  const bytes = Number(
    execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd: projectRoot })
      .toString()
      .trim(),
  );
  console.log(`| ${size} | ${(bytes / 1e6).toFixed(0)} MB |`);
}
