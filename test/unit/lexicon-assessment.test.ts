import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessByLexicon, productNamed } from '../../activities/customer-service/lexicon-assessment.js';

const products = { router: ['router', 'R2'], billing: ['invoice', 'refund'] };

void describe('the lexicon assessment, the fallback when the model cannot assess', () => {
  void it('reads the mood, the urgency and a request for a person, and says it is the fallback', () => {
    const furious = assessByLexicon(
      'This is terrible and useless, I am furious!',
      products,
      'the model failed',
    );
    assert.ok(furious.sentiment <= -0.9, String(furious.sentiment));
    assert.equal(furious.priority, 'high');
    assert.deepEqual([furious.source, furious.fallbackReason], ['lexicon', 'the model failed']);

    const calm = assessByLexicon('Thanks, that worked great.', products, 'x');
    assert.ok(calm.sentiment > 0.5, String(calm.sentiment));
    assert.equal(calm.priority, 'normal');
    assert.equal(calm.wantsHuman, false);

    assert.equal(
      assessByLexicon('Our internet is down since this morning.', products, 'x').priority,
      'urgent',
    );
    assert.equal(assessByLexicon('I want to talk to a real person.', products, 'x').wantsHuman, true);
    // A word list knows no other language: a French complaint reads as neutral.
    assert.equal(assessByLexicon("C'est inadmissible, je suis furieux.", products, 'x').sentiment, 0);
  });

  void it('names the product whose words come first, as whole words', () => {
    assert.equal(productNamed('My R2 router sends a wrong invoice', products), 'router');
    assert.equal(productNamed('A refund for the router, please', products), 'billing');
    assert.equal(productNamed('Routers are fine; invoices too', products), null);
  });
});
