import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createBlobStore } from '../../activities/blobs/blob-store.js';
import type { CallChatModelOutput, WholeRequestInput } from '../../activities/llm/call-chat-model.js';
import { builtInOutputs } from '../../activities/llm/built-in-outputs.js';
import { createGenerateStructured, createOutputRegistry } from '../../activities/llm/generate-structured.js';
import { loadPromptLibrary } from '../../activities/prompts/prompt-library.js';
import { projectRoot } from '../../client/project-paths.js';

const blobDirectory = mkdtempSync(path.join(tmpdir(), 'llmos-structured-'));
after(() => rmSync(blobDirectory, { recursive: true, force: true }));
const blobs = createBlobStore(blobDirectory);
const prompts = loadPromptLibrary([path.join(projectRoot, 'prompts')]);
const verify = { id: 'psv.verify', version: 'v1' };

/** A structured call whose model answers `answer`, keeping each request it was sent. */
function generateStructuredAnswering(answer: string) {
  const sent: WholeRequestInput[] = [];
  const callChatModel = (input: WholeRequestInput): Promise<CallChatModelOutput> => {
    sent.push(input);
    return Promise.resolve({
      response: {
        message: { role: 'assistant', content: answer, toolCalls: [] },
        usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0, reasoningTokens: 0 },
        finishReason: 'stop',
        responseModel: 'gpt-4o-mini',
      },
      costUsd: 0.00001,
      latencyMs: 1,
    });
  };
  const generate = createGenerateStructured(callChatModel, createOutputRegistry(builtInOutputs), {
    prompts,
    blobs,
  });
  return { generate, sent };
}

void describe('generateStructured (activity)', () => {
  void it('renders the prompt from its variables, reads a stored one back, and adds the repair turns', async () => {
    const { generate, sent } = generateStructuredAnswering('{"pass": true, "reason": "it is long"}');
    const longResult = `${'a very long result; '.repeat(40)}the end`;
    const stored = await blobs.put(longResult);
    const output = await generate({
      model: 'openai:gpt-4o-mini',
      output: 'verdict',
      prompt: verify,
      variables: { task: 'Count.', step: 'count', result: stored },
      repairs: [{ output: '{"pass": "yes"}', problems: ['pass: expected boolean'] }],
    });

    // The value is not repeated in the result: the workflow parses the answer's text.
    assert.deepEqual(output.parsed, { ok: true });
    const messages = sent[0]!.request.messages;
    assert.match(messages[1]!.content, /the end/, 'the stored result, whole, in the task');
    assert.deepEqual(
      messages.slice(-2).map((message) => message.role),
      ['assistant', 'user'],
    );
    assert.match(messages.at(-1)!.content, /pass: expected boolean/);
    assert.deepEqual(sent[0]!.prompt, verify);
  });

  void it('refuses a request with no messages and no variables, or variables without a prompt', async () => {
    const { generate, sent } = generateStructuredAnswering('{}');
    for (const input of [
      { model: 'openai:gpt-4o-mini', output: 'verdict' },
      { model: 'openai:gpt-4o-mini', output: 'verdict', variables: { task: 'x' } },
    ])
      await assert.rejects(generate(input), (error: unknown) => {
        assert.ok(error instanceof ApplicationFailure);
        assert.equal(error.type, 'InvalidInput');
        assert.equal(error.nonRetryable, true);
        return true;
      });
    assert.equal(sent.length, 0, 'nothing was sent');
  });
});
