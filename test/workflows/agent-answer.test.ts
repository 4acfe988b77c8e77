import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentRequest, AgentResult } from '../../common/agent.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';

const question = 'What is 0.175 * 2340 + sqrt(144)?';

void describe('reactAgentWorkflow: the answer path', () => {
  const testbed = useAgentTestbed();

  const run = (request: AgentRequest): Promise<AgentResult> =>
    testbed.temporal.env.client.workflow.execute('reactAgentWorkflow', {
      args: [request],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `answer-${crypto.randomUUID()}`,
    });

  for (const provider of ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5'] as const) {
    void it(`calls the calculator through ${provider} and answers with its result`, async () => {
      testbed.fake.reset();
      testbed.fake.setScript({
        turns: [
          {
            toolCalls: [{ name: 'calculator', arguments: { expression: '0.175 * 2340 + sqrt(144)' } }],
            usage: { inputTokens: 100, outputTokens: 20 },
          },
          { text: 'The result is {{lastToolResult}}.', usage: { inputTokens: 150, outputTokens: 10 } },
        ],
      });
      const result = await run({ question, model: provider });

      assert.equal(result.stopReason, 'answer');
      assert.equal(result.answer, 'The result is 421.5.');
      assert.equal(result.iterations, 2);
      assert.deepEqual(
        result.trace.map((step) => step.kind),
        ['model', 'tool', 'model'],
      );
      assert.equal(result.totals.usage.inputTokens, 250);
      assert.equal(result.totals.usage.outputTokens, 30);
      assert.equal(result.totals.modelCalls, 2);
      assert.equal(result.totals.toolCalls, 1);
      const expectedCost = provider.startsWith('openai')
        ? (250 * 0.15 + 30 * 0.6) / 1e6
        : (250 * 1 + 30 * 5) / 1e6;
      assert.ok(
        Math.abs(result.totals.costUsd - expectedCost) < 1e-12,
        `cost ${result.totals.costUsd} != ${expectedCost}`,
      );

      // What the provider really received: the question, then the tool result fed back.
      assert.equal(testbed.fake.requests.length, 2);
      const second = testbed.fake.requests[1]!.chatRequest!;
      assert.equal(testbed.fake.requests[0]!.model, provider.split(':')[1]);
      const toolMessage = second.messages.find((message) => message.role === 'tool');
      assert.equal(toolMessage?.content, '421.5');
      assert.ok(second.tools.some((tool) => tool.name === 'calculator'));
    });
  }

  void it('renders the chosen prompt template version and records it on every model call', async () => {
    testbed.fake.setScript({ rules: [{ match: {}, reply: { text: 'Answer: 421.5' } }] });
    const v1 = await run({ question, model: 'openai:gpt-4o-mini' });
    const v2 = await run({
      question,
      model: 'openai:gpt-4o-mini',
      prompt: { id: 'agent.system', version: 'v2' },
    });

    const promptsOf = (result: AgentResult) =>
      result.trace.flatMap((step) =>
        step.kind === 'model' ? [`${step.prompt.id}@${step.prompt.version}`] : [],
      );
    assert.deepEqual(promptsOf(v1), ['agent.system@v1']);
    assert.deepEqual(promptsOf(v2), ['agent.system@v2']);
    const [first, second] = testbed.fake.requests.map((request) => request.chatRequest?.messages ?? []);
    assert.equal(first?.[0]?.role, 'system');
    assert.notEqual(first?.[0]?.content, second?.[0]?.content, 'each version has its own system prompt');
    assert.equal(first?.at(-1)?.content, question);
    assert.equal(second?.at(-1)?.content, question);
  });

  void it('ends with InvalidInput when the template needs a variable the run does not give', async () => {
    const result = await run({
      question,
      model: 'openai:gpt-4o-mini',
      prompt: { id: 'psv.solve', version: 'v1' },
    });
    assert.equal(result.stopReason, 'error');
    assert.equal(result.error?.type, 'InvalidInput');
    assert.match(result.error?.message ?? '', /psv\.solve@v1/);
    assert.equal(testbed.fake.requests.length, 0, 'no model call');
  });
});
