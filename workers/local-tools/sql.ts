/** The SQL job's code the CLI runs here: the guard (`llmos sql check`) and schema linking (`llmos sql link`). */
export { introspectDatabase } from '../../activities/sql/open-database.js';
export { linkSchema } from '../../activities/sql/schema-linking.js';
export { checkSql } from '../../activities/sql/sql-guard.js';
