import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadGuardConfig } from '../../activities/guards/load-guard-config.js';
import { loadPolicies } from '../../activities/policies/load-policies.js';
import { policyFor, policyRefusal } from '../../common/policies.js';

const folder = mkdtempSync(path.join(tmpdir(), 'llmos-policies-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const file = path.join(folder, name);
  writeFileSync(file, text);
  return file;
};

void describe('policies', () => {
  void it('the built-in file loads with the built-in guards, and keeps support-desk off OpenAI', () => {
    const policies = loadPolicies(loadGuardConfig());
    const desk = policyFor(policies, 'support-desk');
    assert.equal(desk.requireMasking, true);
    assert.match(policyRefusal(desk, 'openai:gpt-4o') ?? '', /not openai$/);
    assert.equal(policyRefusal(desk, 'anthropic:claude-haiku-4-5'), undefined);
    // A run without a tenant, or an unknown one, gets the default: any model.
    assert.equal(policyRefusal(policyFor(policies, 'nobody'), 'openai:gpt-4o'), undefined);
  });

  void it('allows models by name or by provider:*', () => {
    const policy = { models: ['openai:gpt-4o', 'anthropic:*'], requireMasking: false };
    assert.equal(policyRefusal(policy, 'openai:gpt-4o'), undefined);
    assert.equal(policyRefusal(policy, 'anthropic:claude-opus-4-1'), undefined);
    assert.equal(
      policyRefusal(policy, 'openai:gpt-4o-mini'),
      'the policy allows models openai:gpt-4o, anthropic:*, not openai:gpt-4o-mini',
    );
  });

  void it('refuses to start a worker that would send a tenant requiring masking its data unmasked', () => {
    const guards = write(
      'guards.yaml',
      'default:\n  input: { pii: { action: mask } }\n  untrusted: { pii: { action: mask } }\ntenants:\n  lax:\n    input: { pii: { action: flag } }\n',
    );
    const policies = write('policies.yaml', 'default: {}\ntenants:\n  lax: { requireMasking: true }\n');
    assert.throws(
      () => loadPolicies(loadGuardConfig(guards), policies),
      new RegExp(
        `^Error: ${policies.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: tenant lax requires masking, but its guard profile does not mask personal data in input and untrusted texts$`,
      ),
    );
  });

  void it('names a bad field with its file', () => {
    const file = write('bad.yaml', 'default: { providers: openai }\n');
    assert.throws(
      () => loadPolicies(loadGuardConfig(), file),
      /bad\.yaml: not a valid policy file: default\.providers: /,
    );
  });
});
