import { sqlQueryOutput } from './sql.js';
import { planOutput, verdictOutput } from './plan.js';
import type { OutputDefinition } from './structured-output.js';

/** The structured outputs every worker knows; applications register theirs next to these. */
export const builtInOutputs: readonly OutputDefinition[] = [planOutput, verdictOutput, sqlQueryOutput];
