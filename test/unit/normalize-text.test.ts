import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeText } from '../../activities/analysis/normalize-text.js';

void describe('normalizeText', () => {
  void it('unifies line endings, spaces and Unicode forms', () => {
    assert.equal(normalizeText('a\r\nb\rc\fd'), 'a\nb\nc\nd');
    assert.equal(normalizeText('a\t\tb\u00a0\u00a0c\u2003d'), 'a b c d');
    assert.equal(normalizeText('ﬁnal ＡＢＣ'), 'final ABC');
    assert.equal(normalizeText('\ufeffzero\u200bwidth soft\u00adhyphen'), 'zerowidth softhyphen');
  });

  void it('strips trailing spaces and collapses runs of spaces and blank lines', () => {
    assert.equal(normalizeText('one   two   \nthree  '), 'one two\nthree');
    assert.equal(normalizeText('a\n\n\n\n\n\nb\n\nc\n\n\nd'), 'a\n\n\nb\n\nc\n\n\nd');
    assert.equal(normalizeText('\n\n  \n text\n\n'), ' text');
  });

  void it('joins a word hyphenated at a line end only when the text proves the word', () => {
    // "agreement" appears whole elsewhere: the split is a line break artefact.
    assert.equal(
      normalizeText('This agree-\nment binds. The agreement is final.'),
      'This agreement binds. The agreement is final.',
    );
    // "third-party" appears hyphenated elsewhere: keep the hyphen, drop the break.
    assert.equal(
      normalizeText('any third-\nparty claim or third-party suit'),
      'any third-party claim or third-party suit',
    );
    // No evidence either way: left as it is.
    assert.equal(normalizeText('a non-\nexclusive licence'), 'a non-\nexclusive licence');
    // A capitalized next line is a new item, not a continuation.
    assert.equal(normalizeText('Fees-\nPayment and fees payment'), 'Fees-\nPayment and fees payment');
  });

  void it('is deterministic and idempotent', () => {
    const messy = ' Title\r\n\r\n\r\n\r\n\r\nThe agree-\r\nment\t says “hi” —  done.  \n';
    const once = normalizeText(messy);
    assert.equal(normalizeText(messy), once);
    assert.equal(normalizeText(once), once);
  });
});
