import { sqlQueryOutput } from '../../common/sql.js';
import { planOutput, verdictOutput } from '../../common/plan.js';
import type { OutputDefinition } from '../../common/structured-output.js';

/** The structured outputs every worker knows; applications register theirs next to these. */
export const builtInOutputs: readonly OutputDefinition[] = [planOutput, verdictOutput, sqlQueryOutput];
