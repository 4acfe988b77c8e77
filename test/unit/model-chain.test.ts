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
});
