import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import {
  PlanSchema,
  planOutput,
  referencedSteps,
  substituteStepResults,
  verdictOutput,
} from '../../common/plan.js';
import { runStepCheck } from '../../workflows/psv/step-checks.js';
import {
  defineOutput,
  parseStructuredOutput,
  repairMessage,
  toResponseFormat,
} from '../../common/structured-output.js';
import { replanFeedback, unavailableTools } from '../../workflows/psv/plan-steps.js';

const answer = defineOutput(
  'answer',
  'an answer with a confidence',
  z
    .object({ answer: z.string(), confidence: z.number().min(0).max(1) })
    .refine((value) => value.answer !== 'x', {
      message: 'x is not an answer',
      path: ['answer'],
    }),
);

void describe('structured output', () => {
  void it('derives the JSON Schema sent to the model from the zod schema', () => {
    const format = toResponseFormat(answer);
    assert.equal(format.name, 'answer');
    assert.equal(format.description, 'an answer with a confidence');
    assert.deepEqual(format.schema.required, ['answer', 'confidence']);
    assert.deepEqual(Object.keys(format.schema.properties as object), ['answer', 'confidence']);
  });

  void it('parses and validates with the zod schema, refinements included', () => {
    assert.deepEqual(parseStructuredOutput(answer, '{"answer":"42","confidence":0.9}'), {
      ok: true,
      value: { answer: '42', confidence: 0.9 },
    });
    assert.deepEqual(parseStructuredOutput(answer, '{"answer":"x","confidence":0.9}'), {
      ok: false,
      problems: ['answer: x is not an answer'],
    });
    const wrongTypes = parseStructuredOutput(answer, '{"answer":42,"confidence":2}');
    assert.equal(wrongTypes.ok, false);
    assert.deepEqual(!wrongTypes.ok && wrongTypes.problems.map((problem) => problem.split(':')[0]), [
      'answer',
      'confidence',
    ]);
  });

  void it('names text that is not JSON, and tolerates only a Markdown fence around JSON', () => {
    const prose = parseStructuredOutput(answer, 'The answer is 42.');
    assert.equal(prose.ok, false);
    assert.match(
      !prose.ok ? (prose.problems[0] ?? '') : '',
      /^the output is not valid JSON .*The answer is 42\.$/,
    );
    assert.equal(parseStructuredOutput(answer, '```json\n{"answer":"42","confidence":1}\n```').ok, true);
    assert.equal(parseStructuredOutput(answer, '').ok, false);
  });

  void it('shows the model its problems in the repair turn', () => {
    assert.deepEqual(repairMessage(['answer: required', 'confidence: too big']), {
      role: 'user',
      content:
        'Your answer does not match the required output:\n- answer: required\n- confidence: too big\n' +
        'Answer again with the corrected JSON only.',
    });
  });
});

const step = (id: string, expression: string) => ({
  id,
  goal: 'compute',
  tool: { name: 'calculator', arguments: { expression } },
  successCriterion: 'a number',
});

void describe('plans', () => {
  void it('accepts a plan whose steps refer only to earlier steps', () => {
    const plan = PlanSchema.parse({
      steps: [step('s1', '1 + 1'), step('s2', '{{steps.s1}} * 2')],
      answerStep: 's2',
    });
    assert.equal(plan.steps.length, 2);
    assert.deepEqual(referencedSteps(plan.steps[1]?.tool?.arguments), ['s1']);
  });

  void it('refuses duplicate ids, forward references, bad regexes, a missing answer step and two solvers', () => {
    const parsed = PlanSchema.safeParse({
      steps: [
        { ...step('s1', '{{ steps.s2 }}'), check: { kind: 'regex', pattern: '(' } },
        step('s2', '1'),
        step('s2', '2'),
      ],
      answerStep: 'nope',
    });
    assert.equal(parsed.success, false);
    const messages = parsed.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];
    assert.ok(messages.includes('steps.0: {{steps.s2}} does not name an earlier step'), messages.join('\n'));
    assert.ok(messages.some((message) => message.startsWith('steps.0.check.pattern: ')));
    assert.ok(messages.includes('steps.2.id: duplicate step id "s2"'));
    assert.ok(messages.includes('answerStep: "nope" is not a step id'));

    const both = PlanSchema.safeParse({
      steps: [{ ...step('s1', '1'), agent: { question: 'and also?' } }],
      answerStep: 's1',
    });
    assert.match(both.error?.issues[0]?.message ?? '', /exactly one of "tool" or "agent"/);
  });

  void it('substitutes earlier results into arguments, deeply, and leaves unknown references', () => {
    const results = new Map([['s1', '24']]);
    assert.deepEqual(
      substituteStepResults({ expression: '{{steps.s1}} + 30', nested: ['{{steps.s9}}', 3] }, results),
      { expression: '24 + 30', nested: ['{{steps.s9}}', 3] },
    );
  });

  void it('names tools a plan uses that the run does not have', () => {
    const tools = [{ name: 'calculator', description: '', parameters: {} }];
    assert.deepEqual(
      unavailableTools(
        [step('s1', '1'), { ...step('s2', '1'), tool: { name: 'sql', arguments: {} } }],
        tools,
      ),
      ['steps.1.tool.name: no tool "sql"; available: calculator'],
    );
  });

  void it('tells the planner which step failed and why', () => {
    const plan = PlanSchema.parse({ steps: [step('s1', '1')], answerStep: 's1' });
    const feedback = replanFeedback({
      plan,
      steps: [{ stepId: 's1', via: 'tool', ok: true, result: '1' }],
      verification: [{ stepId: 's1', method: 'judge', pass: false, reason: 'too small' }],
      passed: false,
    });
    assert.match(feedback, /Step "s1" \(compute\) gave "1" and failed: too small/);
    assert.ok(feedback.includes(JSON.stringify(plan)));
  });

  void it('has built-in outputs whose names the adapters accept', () => {
    for (const output of [planOutput, verdictOutput]) assert.match(toResponseFormat(output).name, /^[a-z]+$/);
  });
});

void describe('step checks', () => {
  const cases: Array<[Parameters<typeof runStepCheck>[0], string, boolean]> = [
    [{ kind: 'number' }, '54', true],
    [{ kind: 'number' }, ' -1,234.5 ', true],
    [{ kind: 'number' }, '1.95e+5', true],
    [{ kind: 'number' }, '54 rolls', false],
    [{ kind: 'non_empty' }, '  ', false],
    [{ kind: 'non_empty' }, 'x', true],
    [{ kind: 'equals', value: 'Paris' }, '  paris ', true],
    [{ kind: 'equals', value: 'Paris' }, 'Lyon', false],
    [{ kind: 'regex', pattern: '^\\d{4}-\\d{2}$' }, '2024-05', true],
    [{ kind: 'regex', pattern: '^\\d{4}$' }, 'soon', false],
    [{ kind: 'range', min: 0, max: 100 }, '54', true],
    [{ kind: 'range', min: 0, max: 100 }, '540', false],
    [{ kind: 'range', min: 0 }, 'many', false],
  ];
  for (const [check, result, pass] of cases) {
    void it(`${JSON.stringify(check)} on ${JSON.stringify(result)} -> ${pass ? 'pass' : 'fail'}`, () => {
      const outcome = runStepCheck(check, result);
      assert.equal(outcome.pass, pass, outcome.reason);
      assert.ok(outcome.reason.length > 0);
    });
  }
});
