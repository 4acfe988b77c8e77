import type { IToken } from 'chevrotain';
import type { AnalysisField, AnalysisSpec } from '../../common/analysis-spec.js';
import { analysisFieldTypes } from '../../common/analysis-spec.js';
import { at, entryName, position, unquote } from './check-names.js';
import { inferFieldType } from './infer-field-type.js';
import type { RawEntry, RawSection, RawSpec } from './parser.js';
import { didYouMean } from './suggest.js';
import type { SpecError } from './syntax-errors.js';

import type { SectionKeyword } from './check-names.js';
import { sectionKeywords } from './check-names.js';

/** A token chevrotain made up while recovering from a syntax error: already reported, not checked. */
const isReal = (token: IToken | undefined): token is IToken =>
  token !== undefined && token.isInsertedInRecovery !== true;

interface NamedEntry {
  name: string;
  token: IToken;
  entry: RawEntry;
}

/** Checks one section's entries: identifiers, no duplicates, types and descriptions only in EXTRACT. */
function checkEntries(keyword: SectionKeyword, entries: RawEntry[], errors: SpecError[]): NamedEntry[] {
  const named: NamedEntry[] = [];
  for (const entry of entries) {
    const token = entry.words[0];
    if (!isReal(token)) continue;
    const result = entryName(keyword, entry);
    if ('error' in result) {
      errors.push(result.error);
      continue;
    }
    const earlier = named.find((other) => other.name === result.name);
    if (earlier) {
      errors.push(
        at(
          token,
          `${keyword} lists \`${result.name}\` twice (first at ${position(earlier.token)})`,
          'remove one of them',
        ),
      );
      continue;
    }
    if (keyword !== 'EXTRACT' && isReal(entry.type)) {
      errors.push(
        at(entry.type, `${keyword} declares a type for \`${result.name}\``, 'declare types in EXTRACT only'),
      );
    }
    if (keyword !== 'EXTRACT' && isReal(entry.description)) {
      errors.push(
        at(
          entry.description,
          `${keyword} describes \`${result.name}\``,
          'descriptions belong to EXTRACT fields only',
        ),
      );
    }
    named.push({ name: result.name, token, entry });
  }
  return named;
}

function toField({ name, entry }: NamedEntry, errors: SpecError[]): AnalysisField {
  const description = isReal(entry.description) ? unquote(entry.description.image).trim() : '';
  const base = { name, ...(description && { description }) };
  if (!isReal(entry.type)) return { ...base, type: inferFieldType(name), typeSource: 'inferred' };
  const declared = entry.type.image.toLowerCase();
  const type = analysisFieldTypes.find((candidate) => candidate === declared);
  if (type) return { ...base, type, typeSource: 'declared' };
  const hint = didYouMean(declared, analysisFieldTypes, 'the types are date, money, text and list');
  errors.push(at(entry.type, `unknown type \`${entry.type.image}\` for \`${name}\``, hint));
  return { ...base, type: inferFieldType(name), typeSource: 'inferred' };
}

function keywordOf(section: RawSection, errors: SpecError[]): SectionKeyword | undefined {
  const image = section.keyword.image;
  const keyword = sectionKeywords.find((candidate) => candidate === image.toUpperCase());
  if (keyword) return keyword;
  const firstWord = section.entries[0]?.words[0]?.image.toLowerCase() ?? '';
  const typeHint = (analysisFieldTypes as readonly string[]).includes(firstWord)
    ? `to declare a type, write \`${image} (${firstWord})\``
    : `the sections are ${sectionKeywords.join(', ')}`;
  errors.push(
    at(section.keyword, `unknown keyword \`${image}\``, didYouMean(image, sectionKeywords, typeHint)),
  );
  return undefined;
}

/**
 * Turns a parsed spec into an {@link AnalysisSpec}, collecting every semantic error rather than
 * stopping at the first. Returns the spec only when there were none.
 */
export function checkSpec(raw: RawSpec, errors: SpecError[]): AnalysisSpec | undefined {
  // After a syntax error, recovery may have dropped a whole section: "missing" would be noise.
  const afterSyntaxErrors = errors.length > 0;
  if (isReal(raw.keyword) && raw.keyword.image.toUpperCase() !== 'ANALYZE') {
    const hint = didYouMean(raw.keyword.image, ['ANALYZE'], 'a spec starts with `ANALYZE <name> {`');
    errors.push(at(raw.keyword, `unknown keyword \`${raw.keyword.image}\``, hint));
  }
  const seen = new Map<SectionKeyword, { token: IToken; entries: NamedEntry[] }>();
  let across: RawSection['across'];
  // A misspelt keyword is reported once; it is not also "a missing EXTRACT".
  let unknownSection = false;
  for (const section of raw.sections) {
    if (!isReal(section.keyword)) continue;
    const keyword = keywordOf(section, errors);
    unknownSection ||= keyword === undefined;
    if (section.across && isReal(section.across.keyword)) {
      if (keyword === 'COMPARE') across = section.across;
      else if (keyword)
        errors.push(
          at(section.across.keyword, `${keyword} does not take ACROSS`, 'ACROSS belongs to COMPARE'),
        );
    }
    if (!keyword) continue;
    const earlier = seen.get(keyword);
    if (earlier) {
      errors.push(
        at(
          section.keyword,
          `${keyword} appears twice (first at ${position(earlier.token)})`,
          'merge the two lists into one section',
        ),
      );
      continue;
    }
    if (section.entries.length === 0) {
      errors.push(
        at(section.keyword, `${keyword} is empty`, 'list at least one name, or remove the section'),
      );
    }
    seen.set(keyword, { token: section.keyword, entries: checkEntries(keyword, section.entries, errors) });
  }
  const extract = seen.get('EXTRACT');
  if (!extract && !afterSyntaxErrors && !unknownSection) {
    errors.push(
      at(
        raw.keyword,
        `\`${raw.name.image}\` has no EXTRACT section`,
        'add `EXTRACT: name, name` with the fields to pull from each document',
      ),
    );
  }
  const fields = (extract?.entries ?? []).map((entry) => toField(entry, errors));
  const fieldNames = fields.map((field) => field.name);
  for (const { name, token } of seen.get('COMPARE')?.entries ?? []) {
    if (extract && !fieldNames.includes(name)) {
      errors.push(
        at(
          token,
          `COMPARE names \`${name}\`, which EXTRACT does not list`,
          didYouMean(name, fieldNames, `add \`${name}\` to EXTRACT`),
        ),
      );
    }
  }
  if (across && isReal(across.target) && across.target.image.toLowerCase() !== 'documents') {
    const hint = didYouMean(across.target.image, ['documents'], 'write `ACROSS documents`');
    errors.push(
      at(
        across.target,
        `COMPARE can only compare across \`documents\`, not \`${across.target.image}\``,
        hint,
      ),
    );
  }
  if (errors.length > 0) return undefined;
  const names = (keyword: SectionKeyword): string[] =>
    (seen.get(keyword)?.entries ?? []).map((entry) => entry.name);
  return {
    name: raw.name.image,
    fields,
    compare: names('COMPARE'),
    across: 'documents',
    identify: names('IDENTIFY'),
    output: names('OUTPUT'),
  };
}
