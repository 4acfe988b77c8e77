/**
 * The lint rules that keep the rooms apart must fire. A rule that is misconfigured reports
 * nothing and passes every lint run: `import-x/no-cycle`, for one, finds no cycle in TypeScript
 * files unless `import-x/extensions` or `import-x/parsers` names them. Each probe below is a
 * small file written into a room for the length of the test, breaking one rule (or, where said,
 * breaking none); ESLint runs with the project's own config.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { projectRoot } from '../../workers/project-root.js';

const probeFolder = `__room-probe-${process.pid}__`;

/** room -> file -> source; imports are relative to `<room>/<probeFolder>/`. */
const probes: Record<string, Record<string, string>> = {
  client: {
    'activity-import.ts': "export { checkSql } from '../../activities/sql/sql-guard.js';\n",
    'activity-dynamic-import.ts': "export const guard = () => import('../../activities/sql/sql-guard.js');\n",
    'workflow-value-import.ts': "export { reactAgentWorkflow } from '../../workflows/agent.js';\n",
    'workflow-dynamic-import.ts': "export const workflows = () => import('../../workflows/index.js');\n",
    'workflow-type-import.ts':
      "import type { reactAgentWorkflow } from '../../workflows/agent.js';\nexport type Agent = typeof reactAgentWorkflow;\n",
  },
  activities: {
    'workflow-import.ts': "export type { budgetLedgerWorkflow } from '../../workflows/budget-ledger.js';\n",
    'fake-server-import.ts': "export { startFakeLlmServer } from '../../fake-llm/server.js';\n",
  },
  common: {
    'workflow-import.ts': "export type { RunModels } from '../../workflows/lib/run-models.js';\n",
    'cycle-a.ts': "import { b } from './cycle-b.js';\nexport const a = (): number => b + 1;\n",
    'cycle-b.ts':
      "import { a } from './cycle-a.js';\nexport const b = 1;\nexport const c = (): number => a();\n",
  },
  workflows: {
    'activity-value-import.ts': "export { createActivities } from '../../activities/index.js';\n",
    'node-import.ts': "export { readFile } from 'node:fs/promises';\n",
  },
  'fake-llm': {
    'tool-import.ts': "export { calculator } from '../../activities/tools/calculator.js';\n",
    'engine-import.ts': "export { ScriptEngine } from '../../activities/llm/scripted/script-engine.js';\n",
  },
};

const probePath = (room: string, file: string): string => path.join(projectRoot, room, probeFolder, file);

void describe('the rooms lint rules', () => {
  const rules = new Map<string, string[]>();

  before(async () => {
    for (const [room, files] of Object.entries(probes)) {
      mkdirSync(path.join(projectRoot, room, probeFolder), { recursive: true });
      for (const [file, source] of Object.entries(files)) writeFileSync(probePath(room, file), source);
    }
    // The probe folders are in the config's ignores, so a probe left behind never fails `eslint .`.
    const eslint = new ESLint({ cwd: projectRoot, ignore: false });
    const targets = Object.entries(probes).flatMap(([room, files]) =>
      Object.keys(files).map((file) => probePath(room, file)),
    );
    for (const result of await eslint.lintFiles(targets)) {
      const relative = path.relative(projectRoot, result.filePath).replace(`${probeFolder}${path.sep}`, '');
      rules.set(
        relative.split(path.sep).join('/'),
        result.messages.map((message) => message.ruleId ?? `fatal: ${message.message}`),
      );
    }
  });

  after(() => {
    for (const room of Object.keys(probes))
      rmSync(path.join(projectRoot, room, probeFolder), { recursive: true, force: true });
  });

  const expectRule = (file: string, rule: string) => {
    assert.ok(
      rules.get(file)?.includes(rule),
      `${file}: expected ${rule}, got ${JSON.stringify(rules.get(file))}`,
    );
  };

  void it('keeps the client out of activities, static and dynamic imports alike', () => {
    expectRule('client/activity-import.ts', 'import-x/no-restricted-paths');
    expectRule('client/activity-dynamic-import.ts', 'import-x/no-restricted-paths');
  });

  void it('lets the client name workflow types but never load workflow code', () => {
    expectRule('client/workflow-value-import.ts', '@typescript-eslint/no-restricted-imports');
    expectRule('client/workflow-dynamic-import.ts', 'no-restricted-syntax');
    assert.deepEqual(rules.get('client/workflow-type-import.ts'), []);
  });

  void it('keeps activities out of workflow code and the fake server', () => {
    expectRule('activities/workflow-import.ts', 'import-x/no-restricted-paths');
    expectRule('activities/fake-server-import.ts', 'import-x/no-restricted-paths');
  });

  void it('keeps common/ self-contained and free of import cycles', () => {
    expectRule('common/workflow-import.ts', 'import-x/no-restricted-paths');
    expectRule('common/cycle-a.ts', 'import-x/no-cycle');
  });

  void it('keeps workflows sandbox-safe: activities as types only, no Node built-ins', () => {
    expectRule('workflows/activity-value-import.ts', '@typescript-eslint/no-restricted-imports');
    expectRule('workflows/node-import.ts', '@typescript-eslint/no-restricted-imports');
  });

  void it('lets the fake server use the scripted engine and nothing else of activities', () => {
    expectRule('fake-llm/tool-import.ts', 'import-x/no-restricted-paths');
    assert.deepEqual(rules.get('fake-llm/engine-import.ts'), []);
  });
});
