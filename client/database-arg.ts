import { InvalidArgumentError } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './project-paths.js';

/** The example databases shipped in examples/databases/, usable by name (`--db chinook`). */
export const exampleDatabasesDirectory = path.join(projectRoot, 'examples', 'databases');

/**
 * A `--db` value as the worker will open it: a postgres:// URL as given, the name of a shipped
 * example database, or a SQLite file made absolute (the worker may run in another folder).
 */
export function databaseArg(value: string): string {
  if (/^postgres(ql)?:\/\//i.test(value)) return value;
  const example = path.join(exampleDatabasesDirectory, `${value}.sqlite`);
  if (!/[\\/]/.test(value) && existsSync(example)) return example;
  const file = path.resolve(value);
  if (!existsSync(file))
    throw new InvalidArgumentError(
      `"${value}" is neither a postgres:// URL, a SQLite file nor an example database (chinook, northwind).`,
    );
  return file;
}
