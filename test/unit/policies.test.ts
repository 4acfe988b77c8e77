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

  void it("refuses a guard profile whose model judge the tenant's policy does not allow", () => {
    const guards = write(
      'judged.yaml',
      [
        'judges:',
        '  gpt-judge: { kind: model, model: openai:gpt-4o-mini }',
        'default: {}',
        'tenants:',
        '  eu-only:',
        '    untrusted: { injection: { action: block, remote: { judge: gpt-judge, from: 0.2 } } }',
        '',
      ].join('\n'),
    );
    const policies = write(
      'eu-policies.yaml',
      'default: {}\ntenants:\n  eu-only: { providers: [anthropic] }\n',
    );
    assert.throws(
      () => loadPolicies(loadGuardConfig(guards), policies),
      /tenant eu-only's guard profile asks the judge "gpt-judge" \(untrusted\.injection\), but the policy allows providers anthropic, not openai$/,
    );
    // The default policy allows any provider: the same judge is fine for a tenant without limits.
    assert.doesNotThrow(() => loadPolicies(loadGuardConfig(guards), write('open.yaml', 'default: {}\n')));
  });

  void it('names a judge a rule asks for that the guard file does not define, or that cannot do the job', () => {
    const missing = write(
      'missing-judge.yaml',
      'default:\n  input: { injection: { action: flag, remote: { judge: nobody } } }\n',
    );
    assert.throws(
      () => loadGuardConfig(missing),
      /default: input\.injection names the judge "nobody", which judges does not define/,
    );
    const httpPolicy = write(
      'http-policy-judge.yaml',
      [
        'judges:',
        '  lakera: { kind: http, url: "https://guard.example.com/v2/guard" }',
        'default:',
        '  output:',
        '    policyPhrases: { action: flag, judge: lakera, phrases: [] }',
        '',
      ].join('\n'),
    );
    assert.throws(() => loadGuardConfig(httpPolicy), /the judge "lakera" is an http classifier/);
  });

  void it('names a bad field with its file', () => {
    const file = write('bad.yaml', 'default: { providers: openai }\n');
    assert.throws(
      () => loadPolicies(loadGuardConfig(), file),
      /bad\.yaml: not a valid policy file: default\.providers: /,
    );
  });
});
