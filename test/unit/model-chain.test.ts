import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModelChain } from '../../workflows/lib/model-chain.js';

void describe('ModelChain', () => {
  void it('moves down the chain on provider failures and records each move', () => {
    const chain = new ModelChain(['openai:a', 'anthropic:b', 'compatible:c']);
    assert.equal(chain.current, 'openai:a');
    assert.equal(chain.fallBack({ type: 'ModelRequestRejected', message: '401 invalid key' }, 1), true);
    assert.equal(chain.current, 'anthropic:b');
    assert.equal(chain.fallBack({ type: 'ModelUnavailable', message: '500 after 5 attempts' }, 3), true);
    assert.deepEqual(chain.fallbacks, [
      { from: 'openai:a', to: 'anthropic:b', reason: 'ModelRequestRejected: 401 invalid key', iteration: 1 },
      {
        from: 'anthropic:b',
        to: 'compatible:c',
        reason: 'ModelUnavailable: 500 after 5 attempts',
        iteration: 3,
      },
    ]);
    assert.equal(chain.fallBack({ type: 'ModelUnavailable', message: 'down' }, 4), false, 'no model left');
    assert.equal(chain.current, 'compatible:c');
  });

  void it('does not fall back on failures another model would share', () => {
    const chain = new ModelChain(['openai:a', 'anthropic:b']);
    for (const type of ['ContextTooLong', 'InvalidInput', 'CancelledFailure'])
      assert.equal(chain.fallBack({ type, message: '' }, 1), false, type);
    assert.equal(chain.current, 'openai:a');
  });

  void it('follows a child run down the same chain, only forward, and hands on what remains', () => {
    const chain = new ModelChain(['openai:a', 'anthropic:b', 'compatible:c']);
    assert.deepEqual(chain.remaining, ['openai:a', 'anthropic:b', 'compatible:c']);
    chain.follow(
      { from: 'openai:a', to: 'anthropic:b', reason: 'ModelRequestRejected: 401', iteration: 2 },
      5,
    );
    assert.equal(chain.current, 'anthropic:b');
    assert.deepEqual(chain.remaining, ['anthropic:b', 'compatible:c']);
    // A second child that left the same model, and a child's budget downgrade: nothing changes.
    chain.follow(
      { from: 'openai:a', to: 'anthropic:b', reason: 'ModelRequestRejected: 401', iteration: 1 },
      6,
    );
    chain.follow(
      { from: 'anthropic:b', to: 'openai:cheap', reason: 'past 80% of budget x', iteration: 3 },
      7,
    );
    assert.equal(chain.current, 'anthropic:b');
    assert.deepEqual(chain.fallbacks, [
      { from: 'openai:a', to: 'anthropic:b', reason: 'ModelRequestRejected: 401', iteration: 5 },
    ]);
  });
});
