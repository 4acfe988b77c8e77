import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDurationMs } from '../../common/durations.js';
import { formatModelRef, ModelRefSchema } from '../../common/model-ref.js';

void describe('parseDurationMs', () => {
  void it('reads every unit and bare milliseconds', () => {
    assert.equal(parseDurationMs('1500ms'), 1_500);
    assert.equal(parseDurationMs('1500'), 1_500);
    assert.equal(parseDurationMs('30s'), 30_000);
    assert.equal(parseDurationMs('5m'), 300_000);
    assert.equal(parseDurationMs('1.5h'), 5_400_000);
    assert.equal(parseDurationMs('7d'), 604_800_000);
    assert.equal(parseDurationMs(' 2 s '), 2_000);
    assert.equal(parseDurationMs('0'), 0);
  });

  void it('rounds fractions of a millisecond', () => {
    assert.equal(parseDurationMs('1.0004s'), 1_000);
    assert.equal(parseDurationMs('0.5ms'), 1);
  });

  void it('refuses anything else', () => {
    for (const text of ['', 'abc', '-5s', '5 days', '5w', '1e3', 's', '1.5.2s', '10 m s']) {
      assert.equal(parseDurationMs(text), undefined, text);
    }
  });
});

void describe('ModelRefSchema', () => {
  void it('splits provider and model on the first colon', () => {
    assert.deepEqual(ModelRefSchema.parse('openai:gpt-4o-mini'), {
      provider: 'openai',
      model: 'gpt-4o-mini',
    });
    assert.deepEqual(ModelRefSchema.parse('anthropic:claude-haiku-4-5'), {
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
    });
    assert.deepEqual(ModelRefSchema.parse('scripted:demo-agent'), {
      provider: 'scripted',
      model: 'demo-agent',
    });
    assert.deepEqual(ModelRefSchema.parse('compatible:llama3.1:8b'), {
      provider: 'compatible',
      model: 'llama3.1:8b',
    });
  });

  void it('formats back to the same text', () => {
    for (const text of ['openai:gpt-4o', 'compatible:llama3.1:8b', 'scripted:examples/x.json']) {
      assert.equal(formatModelRef(ModelRefSchema.parse(text)), text);
    }
  });

  void it('refuses a missing or unknown provider and an empty model, quoting the input', () => {
    for (const text of ['gpt-4o', ':gpt-4o', 'openai:', 'azure:gpt-4o', 'OpenAI:gpt-4o', '']) {
      const parsed = ModelRefSchema.safeParse(text);
      assert.equal(parsed.success, false, text);
      assert.match(parsed.error?.issues[0]?.message ?? '', /provider:model/);
      assert.ok(parsed.error?.issues[0]?.message.includes(`"${text}"`));
    }
  });
});
