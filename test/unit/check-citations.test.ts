import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkCitations, retrievedPassages } from '../../activities/knowledge/check-citations.js';
import { judgeEntailment } from '../../activities/knowledge/judge-entailment.js';
import type { CallChatModelOutput, WholeRequestInput } from '../../activities/llm/call-chat-model.js';
import { loadPromptLibrary } from '../../activities/prompts/prompt-library.js';
import { withoutUnsupported } from '../../common/citations.js';
import { promptDirectories } from '../../workers/config.js';
import { spotlight } from '../../common/spotlight.js';

const passages = new Map([
  ['warranty.html#0', 'Warranty\n\nThe warranty covers two years from the date of purchase.'],
  [
    'invoices.txt#0',
    'An invoice is due thirty days after it is issued. A payment more than fourteen days late incurs a late fee of 5 euros.',
  ],
]);

void describe('checking an answer against the passages it cites', () => {
  void it('supports a claim whose words are in its passage, and names the ones that are not', () => {
    const report = checkCitations(
      'The warranty covers two years from purchase [warranty.html#0]. Invoices are due in thirty days [invoices.txt#0]. Refunds take a week [invoices.txt#0]. Call us any time.',
      passages,
    );
    assert.deepEqual(
      report.claims.map((claim) => [claim.status, claim.cited]),
      [
        ['supported', ['warranty.html#0']],
        ['supported', ['invoices.txt#0']],
        ['unsupported', ['invoices.txt#0']],
        ['uncited', []],
      ],
    );
    assert.deepEqual(report.invalid, []);
    assert.equal(report.supported, 2);
    assert.equal(report.retrieved, 2);
  });

  void it('marks a citation of a passage never retrieved as invalid', () => {
    const report = checkCitations('The fee is 5 euros [invoices.txt#0][pricing.md#3].', passages);
    assert.equal(report.claims[0]?.status, 'invalid');
    assert.deepEqual(report.invalid, ['pricing.md#3']);
  });

  void it('holds quotes to the letter', () => {
    const report = checkCitations(
      'The terms say "a late fee of 5 euros" [invoices.txt#0]. They also say "a late fee of 50 euros" [invoices.txt#0].',
      passages,
    );
    assert.equal(report.claims[0]?.status, 'supported');
    assert.equal(report.claims[1]?.status, 'unsupported');
    assert.deepEqual(report.claims[1]?.quotesNotFound, ['a late fee of 50 euros']);
  });

  void it('reads the passages back from a retrieve result, spotlighted as the model saw them', () => {
    const boundary = 'abc123def456';
    const result = [
      `[warranty.html#0]\n${spotlight(passages.get('warranty.html#0')!, { source: 'help/warranty.html#0', boundary })}`,
      `[invoices.txt#0]\n${spotlight('Due in </untrusted> thirty days.', { source: 'help/invoices.txt#0', boundary })}`,
    ].join('\n\n');
    const read = retrievedPassages(result);
    assert.deepEqual([...read.keys()], ['warranty.html#0', 'invoices.txt#0']);
    assert.equal(read.get('warranty.html#0'), passages.get('warranty.html#0'));
    assert.equal(read.get('invoices.txt#0'), 'Due in &lt;/untrusted> thirty days.');
  });

  void it('reads a summary of the passages that did not fit as the source of each of them', () => {
    const boundary = 'abc123def456';
    const summary = 'Refunds take five days [refunds.md#1]; invoices are due in thirty [invoices.txt#0].';
    const result = [
      `[invoices.txt#0]\n${spotlight('Invoices are due in thirty days.', { source: 'help/invoices.txt#0', boundary })}`,
      `[summary of refunds.md#1, invoices.txt#0]\n${spotlight(summary, { source: 'help/summary of refunds.md#1, invoices.txt#0', boundary })}`,
    ].join('\n\n');
    const read = retrievedPassages(result);
    assert.equal(read.get('refunds.md#1'), summary);
    assert.equal(
      read.get('invoices.txt#0'),
      'Invoices are due in thirty days.',
      'a whole passage is kept over a summary',
    );
    const report = checkCitations('Refunds take five days [refunds.md#1].', read);
    assert.deepEqual(report.invalid, []);
    assert.equal(report.claims[0]?.status, 'supported');
  });
});

void describe('the entailment judge', () => {
  const [builtInDirectory] = promptDirectories({ LLMOS_PROMPTS_DIRECTORIES: [] });
  const prompts = loadPromptLibrary([builtInDirectory!]);
  const answer =
    'Invoices are due in thirty days [invoices.txt#0]. Refunds are instant [invoices.txt#0]. Call us.';
  const report = checkCitations(answer, passages);
  const judgeReplying = (content: string) => ({
    prompts,
    callChatModel: (input: WholeRequestInput): Promise<CallChatModelOutput> =>
      Promise.resolve({
        response: {
          message: { role: 'assistant', content, toolCalls: [] },
          finishReason: 'stop',
          usage: { inputTokens: 300, outputTokens: 40, cachedInputTokens: 0, reasoningTokens: 0 },
          responseModel: input.model,
        },
        costUsd: 0.0001,
        latencyMs: 5,
      }),
  });

  void it('gives each cited claim its verdict, and leaves the uncited one unjudged', async () => {
    const judged = await judgeEntailment(report.claims, passages, {
      model: 'openai:gpt-4o-mini',
      boundary: 'abc123def456',
      ...judgeReplying(
        '{"verdicts": [{"claim": 1, "entailed": true, "reason": "stated"}, {"claim": 2, "entailed": false, "reason": "not stated"}]}',
      ),
    });
    assert.deepEqual(
      [...judged.verdicts.entries()],
      [
        [0, { entailed: true, reason: 'stated' }],
        [1, { entailed: false, reason: 'not stated' }],
      ],
    );
    assert.equal(judged.totals.modelCalls, 1);
    assert.equal(judged.totals.costUsd, 0.0001);
  });

  void it('gives no verdict, and says why, when the reply is not one', async () => {
    const judged = await judgeEntailment(report.claims, passages, {
      model: 'openai:gpt-4o-mini',
      boundary: 'abc123def456',
      ...judgeReplying('They all look fine to me.'),
    });
    assert.equal(judged.verdicts.size, 0);
    assert.match(judged.unusable ?? '', /not a verdict/);
    assert.equal(judged.totals.modelCalls, 1, 'the call is counted all the same');
  });

  void it('takes the unsupported claims out of the answer, and leaves nothing when none is supported', () => {
    const judgedReport = {
      ...report,
      claims: report.claims.map((claim, index) =>
        index === 1 ? { ...claim, status: 'unsupported' as const } : claim,
      ),
    };
    assert.equal(
      withoutUnsupported(answer, judgedReport),
      'Invoices are due in thirty days [invoices.txt#0]. Call us.',
    );
    const none = {
      ...report,
      claims: report.claims.map((claim) => ({ ...claim, status: 'unsupported' as const })),
    };
    assert.equal(withoutUnsupported(answer, none), '');
  });
});
