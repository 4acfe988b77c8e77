import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitToBudget } from '../../activities/knowledge/context-budget.js';
import { countTokens } from '../../activities/prompts/count-tokens.js';

const passage = (id: string, words: number) => ({
  id,
  text: Array.from({ length: words }, (_, index) => `word${index}`).join(' '),
});

void describe('a token budget for retrieved passages', () => {
  void it('keeps the best passages that fit, never more than the budget, and counts the rest', () => {
    const passages = [passage('a', 40), passage('b', 40), passage('c', 40), passage('d', 5)];
    const each = countTokens(passages[0]!.text);
    const fitted = fitToBudget(passages, each * 2 + 10, countTokens);
    assert.deepEqual(
      fitted.kept.map((kept) => kept.id),
      ['a', 'b'],
      'the small fourth one is not kept over the third',
    );
    assert.equal(fitted.leftOut, 2);
    assert.equal(fitted.tokens, each * 2);
  });

  void it('cuts a first passage larger than the whole budget at a word', () => {
    const fitted = fitToBudget([passage('big', 500), passage('next', 5)], 100, countTokens);
    assert.deepEqual(
      fitted.kept.map((kept) => kept.id),
      ['big'],
    );
    assert.ok(fitted.tokens <= 100 && fitted.tokens > 80, `${fitted.tokens} tokens`);
    assert.match(fitted.kept[0]!.text, /word\d+$/);
    assert.equal(fitted.leftOut, 1);
  });
});
