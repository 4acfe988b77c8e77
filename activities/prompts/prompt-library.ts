import { ApplicationFailure } from '@temporalio/common';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ErrorType } from '../../common/errors.js';
import { formatPromptRef, type PromptRef, type PromptTemplate } from '../../common/prompt-template.js';
import { PromptFileError, readPromptFile } from './read-prompt-file.js';
import { systemPromptSizeWarning } from './system-prompt-size.js';

/** The prompt templates a worker serves, loaded once at start-up. */
export interface PromptLibrary {
  /** The template, or a non-retryable `UnknownPrompt` failure naming the versions its id does have. */
  get(ref: PromptRef): PromptTemplate;
  /** Every template, by id, then version (numerically: v2 before v10). */
  list(): PromptTemplate[];
  /** What an operator should see but that does not stop the worker: long system prompts, ignored files. */
  readonly warnings: readonly string[];
}

const byNumericName = new Intl.Collator('en', { numeric: true }).compare;
const templateExtension = '.yaml';

function sortedEntries(directory: string): string[] {
  return readdirSync(directory)
    .filter((name) => !name.startsWith('.'))
    .sort(byNumericName);
}

function isDirectory(file: string): boolean {
  return statSync(file).isDirectory();
}

function unknownPrompt(ref: PromptRef, versions: string[]): ApplicationFailure {
  const known =
    versions.length > 0
      ? `versions of ${ref.id}: ${versions.join(', ')}`
      : `there is no template with the id "${ref.id}"`;
  return ApplicationFailure.create({
    type: ErrorType.UnknownPrompt,
    message: `unknown prompt ${formatPromptRef(ref)}; ${known}`,
    nonRetryable: true,
  });
}

/**
 * Loads `<directory>/<id>/<version>.yaml` from each directory. Every problem is collected and
 * reported together in one error, each line naming its file: a missing directory, bad YAML, a
 * template that fails the schema, an id or version that disagrees with the path, or a ref that
 * two files define (a later directory never silently overrides an earlier one: publish a new
 * version instead). Synchronous, so that building a worker's activities stays synchronous.
 */
export function loadPromptLibrary(directories: readonly string[]): PromptLibrary {
  const problems: string[] = [];
  const warnings: string[] = [];
  const files = new Map<string, { template: PromptTemplate; file: string }>();

  for (const directory of directories) {
    let ids: string[];
    try {
      ids = sortedEntries(directory).filter((name) => isDirectory(path.join(directory, name)));
    } catch (error) {
      problems.push(`${directory}: cannot read this prompt directory (${(error as Error).message})`);
      continue;
    }
    for (const id of ids) {
      for (const name of sortedEntries(path.join(directory, id))) {
        const file = path.join(directory, id, name);
        if (!name.endsWith(templateExtension) || isDirectory(file)) {
          warnings.push(`${file}: ignored; templates are <id>/<version>${templateExtension} files`);
          continue;
        }
        try {
          const template = readPromptFile(file, { id, version: name.slice(0, -templateExtension.length) });
          const ref = formatPromptRef(template);
          const earlier = files.get(ref);
          if (earlier) {
            problems.push(
              `${file}: ${ref} is already defined by ${earlier.file}; a template is never overridden, give this one a new version`,
            );
            continue;
          }
          files.set(ref, { template, file });
          const sizeWarning = systemPromptSizeWarning(template, file);
          if (sizeWarning) warnings.push(sizeWarning);
        } catch (error) {
          if (!(error instanceof PromptFileError)) throw error;
          problems.push(error.message);
        }
      }
    }
  }
  if (problems.length > 0) throw new Error(`invalid prompt library:\n  ${problems.join('\n  ')}`);

  const templates = [...files.values()]
    .map((entry) => entry.template)
    .sort((a, b) => byNumericName(a.id, b.id) || byNumericName(a.version, b.version));
  return {
    get(ref) {
      const entry = files.get(formatPromptRef(ref));
      if (entry) return entry.template;
      throw unknownPrompt(
        ref,
        templates.filter((template) => template.id === ref.id).map((template) => template.version),
      );
    },
    list: () => [...templates],
    warnings,
  };
}
