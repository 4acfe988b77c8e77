import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AnswerVoteSchema,
  answersMatch,
  normalizeAnswer,
  parseConfidence,
  voteAnswers,
  type AnswerKind,
} from '../../common/answer-vote.js';

function assertTable(kind: AnswerKind, table: ReadonlyArray<readonly [string | null, string | null]>): void {
  for (const [input, expected] of table)
    assert.equal(normalizeAnswer(input, kind), expected, `${kind}: ${JSON.stringify(input)}`);
}

void describe('normalizeAnswer for numbers', () => {
  void it('reads the number after GSM8K #### as the answer', () => {
    assertTable('number', [
      [
        'Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.\nShe makes 9 * 2 = $<<9*2=18>>18 every day.\n#### 18',
        '18',
      ],
      ['He made a profit of 200,000-130,000=$<<200000-130000=70000>>70,000\n#### 70000', '70000'],
      ['#### 57,500', '57500'],
      ['#### -3', '-3'],
    ]);
  });

  void it('prefers the last explicit marker over the numbers around it', () => {
    assertTable('number', [
      ['The answer is 1.95e+5.\nAnswer: 1.95e+5', '195000'],
      ['So 12 years.\nAnswer: 13 (the year he earns)', '13'],
      ['Answer: 5\nOn reflection:\nAnswer: 6', '6'],
      ['**Final Answer:** 42', '42'],
      ['> answer: 42 eggs', '42'],
      ['Answer:\n\n  42 eggs', '42'],
      ['We get \\boxed{72} dollars, 3 more than before.', '72'],
      ['\\boxed{\\frac{3}{4}}', '0.75'],
      ['\\boxed{1{,}000}', '1000'],
      ['Answer: 4\nand then \\boxed{5}', '5'],
      // The model committed to an answer that is not a number: no falling back to the reasoning.
      ['I got 5 but\nAnswer: unknown', null],
    ]);
  });

  void it('takes the last number when there is no marker', () => {
    assertTable('number', [
      ['16 - 3 - 4 = 9, and 9 * 2 = 18', '18'],
      ['It takes 84/12 = 7 dozen', '7'],
      ['The total is 260 sheep.', '260'],
    ]);
  });

  void it('writes every number one way', () => {
    assertTable('number', [
      ['$1,234.50.', '1234.5'],
      ['€ 20', '20'],
      ['-$5', '-5'],
      ['x = -5', '-5'],
      ['\u22127', '-7'],
      ['25%', '25'],
      ['18.', '18'],
      ['7.50', '7.5'],
      ['007', '7'],
      ['-0', '0'],
      ['-0.0', '0'],
      ['.5', '0.5'],
      ['1e3', '1000'],
      ['2.5E-3', '0.0025'],
      ['3/4', '0.75'],
      ['-1/2', '-0.5'],
      ['0.1 + 0.2 = 0.30000000000000004', '0.3'],
      ['\uff11\uff12', '12'],
    ]);
  });

  void it('does not read a minus between numbers as a sign', () => {
    assertTable('number', [
      ['Answer: 16-3', '16'],
      ['16 - 3', '3'],
      ['H2O', null],
    ]);
  });

  void it('finds no number in empty, null or wordy text', () => {
    assertTable('number', [
      [null, null],
      ['', null],
      ['   \n', null],
      ['I do not know.', null],
      ['Answer: 5/0', null],
    ]);
  });
});

void describe('normalizeAnswer for text', () => {
  void it('lower-cases, collapses whitespace and strips edge punctuation, quotes and one article', () => {
    assertTable('text', [
      ['Paris', 'paris'],
      ['  The   Eiffel\tTower. ', 'eiffel tower'],
      ['\u201cParis\u201d!', 'paris'],
      ['"An apple"', 'apple'],
      ['a', 'a'],
      ['Theodore', 'theodore'],
      ['the the end', 'the end'],
      ['**`Paris`**', 'paris'],
      ['New York, N.Y.', 'new york, n.y'],
    ]);
  });

  void it('takes the Answer: line, applies NFKC, and reads \\boxed{\\text{}}', () => {
    assertTable('text', [
      ['The capital of France is a city on the Seine.\nAnswer: Paris.', 'paris'],
      ['\uff21nswer: \uff30aris', 'paris'],
      ['\ufb01sh', 'fish'],
      ['\\boxed{\\text{Paris}}', 'paris'],
    ]);
  });

  void it('is null when nothing is left', () => {
    assertTable('text', [
      [null, null],
      ['', null],
      ['"..."', null],
      ['Answer: the', 'the'],
    ]);
  });
});

void describe('answersMatch', () => {
  void it('compares normalized answers, and no answer never matches', () => {
    assert.equal(answersMatch('The answer is 70,000.\nAnswer: $70,000', '70000', 'number'), true);
    assert.equal(answersMatch('Answer: 1.95e+5', '70000', 'number'), false);
    assert.equal(answersMatch('Answer: The Eiffel Tower', 'eiffel tower', 'text'), true);
    assert.equal(answersMatch(null, '7', 'number'), false);
    assert.equal(answersMatch('no idea', 'no number', 'number'), false);
  });
});

void describe('parseConfidence', () => {
  void it('reads the last Confidence line as a share or a percentage', () => {
    assert.equal(parseConfidence('Answer: 4\nConfidence: 0.8'), 0.8);
    assert.equal(parseConfidence('confidence: 80%'), 0.8);
    assert.equal(parseConfidence('**Confidence:** .5'), 0.5);
    assert.equal(parseConfidence('Confidence = 1'), 1);
    assert.equal(parseConfidence('Confidence: 0.2\nConfidence: 0.9'), 0.9);
    assert.equal(parseConfidence('Confidence: 0'), 0);
  });

  void it('is undefined when absent or out of range', () => {
    assert.equal(parseConfidence(null), undefined);
    assert.equal(parseConfidence('Answer: 4'), undefined);
    assert.equal(parseConfidence('Confidence: high'), undefined);
    // A bare 80 is not a share and not marked as a percentage.
    assert.equal(parseConfidence('Confidence: 80'), undefined);
    assert.equal(parseConfidence('Confidence: 120%'), undefined);
    assert.equal(parseConfidence('Confidence: -0.1'), undefined);
    assert.equal(parseConfidence('My confidence: 0.8'), undefined);
  });
});

void describe('voteAnswers', () => {
  void it('picks the largest group by count and keeps the raw answer of its first sample', () => {
    const vote = voteAnswers(
      [
        { answer: 'I think 17' },
        { answer: 'The answer is 18.\nAnswer: 18' },
        { answer: null },
        { answer: '$18.00' },
        { answer: 'I do not know' },
      ],
      'number',
    );
    assert.deepEqual(vote, {
      answer: 'The answer is 18.\nAnswer: 18',
      normalized: '18',
      consistency: 2 / 5,
      weighted: false,
      tally: [
        { normalized: '18', count: 2, weight: 2, sampleIndexes: [1, 3] },
        { normalized: '17', count: 1, weight: 1, sampleIndexes: [0] },
      ],
    });
    assert.equal(AnswerVoteSchema.safeParse(vote).success, true);
  });

  void it('scores consistency as the winners over all samples', () => {
    const unanimous = voteAnswers([{ answer: '7' }, { answer: '7.0' }, { answer: 'Answer: 7' }], 'number');
    assert.equal(unanimous.consistency, 1);
    const split = voteAnswers([{ answer: '1' }, { answer: '2' }, { answer: '2' }, { answer: '3' }], 'number');
    assert.equal(split.normalized, '2');
    assert.equal(split.consistency, 0.5);
  });

  void it('breaks count ties by first appearance', () => {
    const vote = voteAnswers(
      [{ answer: 'Rome' }, { answer: 'Paris' }, { answer: 'paris' }, { answer: 'rome.' }],
      'text',
    );
    assert.equal(vote.answer, 'Rome');
    assert.equal(vote.normalized, 'rome');
    assert.equal(vote.consistency, 0.5);
    assert.deepEqual(
      vote.tally.map((entry) => entry.normalized),
      ['rome', 'paris'],
    );
  });

  void it('goes by weight when any sample states a confidence', () => {
    const vote = voteAnswers(
      [
        { answer: '18', confidence: 0.2 },
        { answer: '18', confidence: 0.2 },
        { answer: '17', confidence: 0.9 },
      ],
      'number',
    );
    assert.equal(vote.weighted, true);
    assert.equal(vote.normalized, '17');
    // Consistency still counts samples, not weight: the winner is one of three.
    assert.equal(vote.consistency, 1 / 3);
    assert.deepEqual(
      vote.tally.map(({ normalized, count, weight }) => ({ normalized, count, weight })),
      [
        { normalized: '17', count: 1, weight: 0.9 },
        { normalized: '18', count: 2, weight: 0.4 },
      ],
    );
  });

  void it('weighs a sample without a confidence at the mean of the stated ones', () => {
    const vote = voteAnswers(
      [
        { answer: '5', confidence: 0.9 },
        { answer: '6', confidence: 0.3 },
        { answer: '6' },
        { answer: null, confidence: 0.6 },
      ],
      'number',
    );
    // The mean of 0.9, 0.3 and 0.6 is 0.6: '6' weighs 0.3 + 0.6 = 0.9, a tie with '5' on weight
    // (within float tolerance) that the larger group wins.
    assert.equal(vote.normalized, '6');
    assert.ok(Math.abs((vote.tally[0]?.weight ?? 0) - 0.9) < 1e-12);
    assert.equal(vote.tally[1]?.weight, 0.9);
  });

  void it('breaks weight ties by count, then by first appearance', () => {
    const byCount = voteAnswers(
      [
        { answer: 'a1', confidence: 0.6 },
        { answer: 'b', confidence: 0.3 },
        { answer: 'b', confidence: 0.3 },
      ],
      'text',
    );
    assert.equal(byCount.normalized, 'b');
    const byAppearance = voteAnswers(
      [
        { answer: '2', confidence: 0.5 },
        { answer: '1', confidence: 0.5 },
      ],
      'number',
    );
    assert.equal(byAppearance.normalized, '2');
  });

  void it('ignores confidences outside [0, 1]', () => {
    const vote = voteAnswers(
      [{ answer: '1', confidence: 7 }, { answer: '2', confidence: Number.NaN }, { answer: '2' }],
      'number',
    );
    assert.equal(vote.weighted, false);
    assert.equal(vote.normalized, '2');
  });

  void it('has no winner and zero consistency when no sample has an answer', () => {
    const expected = { answer: null, normalized: null, consistency: 0, tally: [] };
    assert.deepEqual(voteAnswers([{ answer: null }, { answer: 'no number' }], 'number'), {
      ...expected,
      weighted: false,
    });
    assert.deepEqual(voteAnswers([{ answer: '', confidence: 0.5 }], 'text'), { ...expected, weighted: true });
    assert.deepEqual(voteAnswers([], 'number'), { ...expected, weighted: false });
  });
});
