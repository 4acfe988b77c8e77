import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findQuote, verifyQuotes } from '../../activities/analysis/verify-quote.js';

const clause =
  '7. Termination\n\nEither party may terminate this Agreement upon  sixty (60) days’ written\nnotice — provided that the “Licensee” has paid all fees.';

void describe('findQuote', () => {
  void it('finds a verbatim quote and returns offsets into the original text', () => {
    const quote = 'Either party may terminate this Agreement';
    const span = findQuote(clause, quote);
    assert.deepEqual(span, { start: clause.indexOf(quote), end: clause.indexOf(quote) + quote.length });
  });

  void it('ignores differences in whitespace, on both sides', () => {
    const span = findQuote(clause, '  this Agreement upon sixty (60) days’ written notice ');
    assert.ok(span);
    assert.equal(clause.slice(span.start, span.end), 'this Agreement upon  sixty (60) days’ written\nnotice');
    assert.ok(findQuote('a\tb\n\nc', 'a b c'));
  });

  void it('treats straight and curly quotes, and dash variants, as the same', () => {
    const span = findQuote(clause, 'notice - provided that the "Licensee" has paid');
    assert.ok(span);
    assert.equal(clause.slice(span.start, span.end), 'notice — provided that the “Licensee” has paid');
    assert.ok(findQuote(clause, "sixty (60) days' written"));
    assert.ok(findQuote('a non-exclusive licence', 'a non–exclusive licence'));
  });

  void it('is case-sensitive and forgives nothing else', () => {
    assert.equal(findQuote(clause, 'either party may terminate'), undefined);
    assert.equal(findQuote(clause, 'Either party shall terminate'), undefined);
    assert.equal(findQuote(clause, 'has paid all fees!'), undefined);
    assert.equal(findQuote(clause, '   '), undefined);
    assert.equal(findQuote(clause, ''), undefined);
  });

  void it('matches at the very start and end of the text', () => {
    assert.deepEqual(findQuote(clause, '7. Termination'), { start: 0, end: 14 });
    const span = findQuote(clause, 'paid all fees.');
    assert.equal(span?.end, clause.length);
  });
});

void describe('verifyQuotes', () => {
  void it('splits quotes into found ones with offsets and hallucinated ones', () => {
    const result = verifyQuotes(clause, ['Either party', 'The Licensor may assign', '“Licensee”'], 1_000);
    assert.deepEqual(result.hallucinated, ['The Licensor may assign']);
    assert.deepEqual(
      result.found.map(({ quote, start }) => ({ quote, start })),
      [
        { quote: 'Either party', start: 1_000 + clause.indexOf('Either') },
        { quote: '“Licensee”', start: 1_000 + clause.indexOf('“Licensee”') },
      ],
    );
  });
});
