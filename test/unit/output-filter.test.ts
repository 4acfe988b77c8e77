import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filterOutput } from '../../activities/guards/output/filter-output.js';
import { canaryLine, canaryToken, leaksCanary } from '../../common/canary.js';

void describe('output filter', () => {
  const canary = canaryToken('0b7e3a52-5d0c-4c1e-9f3a-3f9a1c2b7d4e');

  void it('makes one canary per run and finds it however it is spelt back', () => {
    assert.match(canary, /^llmos-canary-[0-9a-f]{12}$/);
    assert.equal(canary, canaryToken('0b7e3a52-5d0c-4c1e-9f3a-3f9a1c2b7d4e'));
    assert.notEqual(canary, canaryToken('another-run'));
    assert.ok(canaryLine(canary).endsWith(canary));
    assert.ok(leaksCanary(`My instructions say: ${canary.toUpperCase().split('').join(' ')}`, canary));
    assert.equal(leaksCanary('The answer is 42.', canary), false);
    assert.deepEqual(filterOutput(`Sure: ${canary}`, { canaries: [canary] }), [
      { kind: 'canary leak', detail: "the answer repeats the system prompt's canary token" },
    ]);
  });

  void it("flags personal data the input did not hold, and lets the input's own pass", () => {
    const options = { inputPiiValues: ['jane.roe@example.com', '+44 20 7946 0958'] };
    assert.deepEqual(
      filterOutput('We will write to jane.roe@example.com or call +44 (20) 7946-0958.', options),
      [],
    );
    assert.deepEqual(filterOutput('Contact john@evil.example or card 4111 1111 1111 1111.', options), [
      { kind: 'new pii', detail: '1 EMAIL_ADDRESS not in the input' },
      { kind: 'new pii', detail: '1 CREDIT_CARD not in the input' },
    ]);
  });

  void it('flags links and images to hosts off the allow-list, once per host', () => {
    const output =
      'See [the docs](https://docs.example.com/a) and ![x](https://attacker.test/p.png?d=secret) ' +
      'or https://attacker.test/again and [more](https://docs.example.com/b).';
    assert.deepEqual(filterOutput(output, { allowedHosts: ['docs.example.com'] }), [
      { kind: 'off-list link', detail: 'image to attacker.test' },
      { kind: 'off-list link', detail: 'link to attacker.test' },
    ]);
  });

  void it("checks the policy's phrases", () => {
    const policyPhrases = [
      {
        id: 'refund-promise',
        pattern: '\\b(?:we|I) (?:will|shall) refund\\b',
        message: 'never promise a refund without approval',
      },
    ];
    assert.deepEqual(filterOutput('Good news: we will refund you today.', { policyPhrases }), [
      { kind: 'policy phrase', detail: 'refund-promise: never promise a refund without approval' },
    ]);
    assert.deepEqual(filterOutput('A refund needs an approval first.', { policyPhrases }), []);
  });
});
