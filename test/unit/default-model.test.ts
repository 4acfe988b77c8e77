import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseDefaultModel } from '../../client/default-model.js';
import { ModelRefSchema } from '../../common/model-ref.js';

void describe('chooseDefaultModel', () => {
  void it('uses the offline scripted demo when nothing is configured', () => {
    assert.deepEqual(chooseDefaultModel({}), { model: 'scripted:demo-agent', scripted: true });
  });

  void it('prefers LLMOS_DEFAULT_MODEL over every key', () => {
    const env = {
      LLMOS_DEFAULT_MODEL: 'anthropic:claude-sonnet-4-5',
      OPENAI_API_KEY: 'k',
      ANTHROPIC_API_KEY: 'k',
    };
    assert.deepEqual(chooseDefaultModel(env), { model: 'anthropic:claude-sonnet-4-5', scripted: false });
    assert.deepEqual(chooseDefaultModel({ LLMOS_DEFAULT_MODEL: 'scripted:other', OPENAI_API_KEY: 'k' }), {
      model: 'scripted:other',
      scripted: true,
    });
  });

  void it('picks the first provider with a key: OpenAI, then Anthropic, then a compatible server', () => {
    assert.equal(
      chooseDefaultModel({
        OPENAI_API_KEY: 'k',
        ANTHROPIC_API_KEY: 'k',
        LLMOS_COMPATIBLE_BASE_URL: 'http://x',
      }).model,
      'openai:gpt-4o-mini',
    );
    assert.equal(
      chooseDefaultModel({ ANTHROPIC_API_KEY: 'k', LLMOS_COMPATIBLE_BASE_URL: 'http://x' }).model,
      'anthropic:claude-haiku-4-5',
    );
    assert.equal(chooseDefaultModel({ LLMOS_COMPATIBLE_BASE_URL: 'http://x' }).model, 'compatible:llama3.1');
    assert.equal(
      chooseDefaultModel({ LLMOS_COMPATIBLE_BASE_URL: 'http://x', LLMOS_COMPATIBLE_MODEL: 'qwen2.5:7b' })
        .model,
      'compatible:qwen2.5:7b',
    );
  });

  void it('treats empty variables as unset', () => {
    assert.equal(
      chooseDefaultModel({ LLMOS_DEFAULT_MODEL: '', OPENAI_API_KEY: '', ANTHROPIC_API_KEY: 'k' }).model,
      'anthropic:claude-haiku-4-5',
    );
  });

  void it('always names a model the workflow accepts', () => {
    for (const env of [
      {},
      { OPENAI_API_KEY: 'k' },
      { ANTHROPIC_API_KEY: 'k' },
      { LLMOS_COMPATIBLE_BASE_URL: 'http://x' },
    ]) {
      assert.equal(ModelRefSchema.safeParse(chooseDefaultModel(env).model).success, true);
    }
  });
});
