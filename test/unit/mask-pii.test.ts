import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findPii } from '../../activities/guards/pii/find-pii.js';
import { maskPii, unmaskPii } from '../../activities/guards/pii/mask-pii.js';

void describe('PII masking', () => {
  void it('gives each value one placeholder for the whole run, and restores the answer', () => {
    const first = 'Mail jane.roe@example.com and john@example.org; call +44 20 7946 0958.';
    const one = maskPii(first, findPii(first));
    assert.equal(one.text, 'Mail <EMAIL_1> and <EMAIL_2>; call <PHONE_1>.');
    assert.deepEqual(one.counts, { EMAIL_ADDRESS: 2, PHONE_NUMBER: 1 });

    // A later text of the same run: a known value keeps its placeholder, a new one is numbered on.
    const second = 'Jane.Roe@example.com again, now from +44 (20) 7946-0958 and ops@example.net.';
    const two = maskPii(second, findPii(second), one.added);
    assert.equal(two.text, '<EMAIL_1> again, now from <PHONE_1> and <EMAIL_3>.');
    assert.deepEqual(
      two.added.map((entry) => entry.placeholder),
      ['<EMAIL_3>'],
    );

    const vault = [...one.added, ...two.added];
    assert.equal(
      unmaskPii('I wrote to <EMAIL_1> and <EMAIL_3>, not <EMAIL_9>.', vault),
      'I wrote to jane.roe@example.com and ops@example.net, not <EMAIL_9>.',
    );
  });

  void it('leaves a text without personal data as it is', () => {
    const text = 'What is 17 * 23?';
    assert.deepEqual(maskPii(text, findPii(text)), { text, added: [], counts: {} });
  });
});
