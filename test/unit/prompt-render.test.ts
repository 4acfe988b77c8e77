import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorType } from '../../common/errors.js';
import {
  formatPromptRef,
  parsePromptRef,
  PromptTemplateSchema,
  type PromptTemplate,
} from '../../common/prompt-template.js';
import { renderPrompt, systemMessageLayout, templateVariables } from '../../common/render-prompt.js';

const template = (fields: Partial<PromptTemplate> = {}): PromptTemplate =>
  PromptTemplateSchema.parse({
    id: 'math.tutor',
    version: 'v3',
    system: 'You teach {{subject}}.',
    task: 'Explain {{ topic }} to a {{level}} student.',
    ...fields,
  });

void describe('renderPrompt', () => {
  void it('lays out system, constraints, output format, examples and task in a fixed order', () => {
    const rendered = renderPrompt(
      template({
        constraints: ['Use at most {{limit}} sentences.', 'No jargon.'],
        outputFormat: 'Plain text about {{topic}}.',
        examples: [
          { input: 'Explain addition.', output: 'Putting things together.' },
          { input: 'Explain zero.', output: 'Nothing at all.' },
        ],
      }),
      { subject: 'arithmetic', topic: 'fractions', level: 'first-year', limit: '3' },
    );

    assert.deepEqual(rendered, {
      prompt: { id: 'math.tutor', version: 'v3' },
      messages: [
        {
          role: 'system',
          content:
            'You teach arithmetic.\n\nConstraints:\n- Use at most 3 sentences.\n- No jargon.\n\n' +
            'Output format:\nPlain text about fractions.',
        },
        { role: 'user', content: 'Explain addition.' },
        { role: 'assistant', content: 'Putting things together.', toolCalls: [] },
        { role: 'user', content: 'Explain zero.' },
        { role: 'assistant', content: 'Nothing at all.', toolCalls: [] },
        { role: 'user', content: 'Explain fractions to a first-year student.' },
      ],
    });
  });

  void it('leaves out the constraints and output format sections when a template has none', () => {
    const { messages } = renderPrompt(template(), { subject: 'physics', topic: 'inertia', level: 'new' });
    assert.deepEqual(messages, [
      { role: 'system', content: 'You teach physics.' },
      { role: 'user', content: 'Explain inertia to a new student.' },
    ]);
    assert.equal(
      systemMessageLayout(template({ outputFormat: 'JSON' })),
      'You teach {{subject}}.\n\nOutput format:\nJSON',
    );
  });

  void it('is deterministic: the same template and variables give byte-identical messages', () => {
    const rich = template({ constraints: ['Be brief about {{topic}}.'], outputFormat: 'One line.' });
    const first = JSON.stringify(renderPrompt(rich, { subject: 's', topic: 't', level: 'l' }));
    const second = JSON.stringify(
      renderPrompt(structuredClone(rich), { level: 'l', topic: 't', subject: 's' }),
    );
    assert.equal(first, second);
  });

  void it('inserts values literally: no second expansion, no replacement patterns', () => {
    const { messages } = renderPrompt(template(), {
      subject: '{{topic}} and {{ level }}',
      topic: '$& $1 $$ $`',
      level: '{{level}}',
    });
    assert.equal(messages[0]?.content, 'You teach {{topic}} and {{ level }}.');
    assert.equal(messages[1]?.content, 'Explain $& $1 $$ $` to a {{level}} student.');
  });

  void it('allows extra variables', () => {
    const { messages } = renderPrompt(template(), { subject: 'a', topic: 'b', level: 'c', unused: 'd' });
    assert.equal(messages.at(-1)?.content, 'Explain b to a c student.');
  });

  void it('refuses a missing variable with a non-retryable failure naming the template and every missing name', () => {
    assert.throws(
      () => renderPrompt(template({ constraints: ['At most {{limit}} words.'] }), { topic: 'x' }),
      (error: unknown) => {
        assert.ok(error instanceof ApplicationFailure);
        assert.equal(error.type, ErrorType.InvalidInput);
        assert.equal(error.nonRetryable, true);
        assert.equal(error.message, 'prompt math.tutor@v3 needs variables level, limit, subject');
        return true;
      },
    );
    // An inherited property is not a variable.
    assert.throws(
      () => renderPrompt(template({ task: '{{toString}}' }), { subject: 'a' }),
      /needs variable toString$/,
    );
  });

  void it('fills placeholders in system, constraints, output format and task, never in examples', () => {
    const { messages } = renderPrompt(
      template({ examples: [{ input: 'Explain {{topic}}.', output: 'Use {{steps.s1}}.' }] }),
      { subject: 'a', topic: 'b', level: 'c' },
    );
    assert.equal(messages[1]?.content, 'Explain {{topic}}.');
    assert.equal(messages[2]?.content, 'Use {{steps.s1}}.');
  });
});

void describe('templateVariables', () => {
  void it('lists the placeholder names of every filled field, sorted and unique', () => {
    const names = templateVariables(
      template({
        system: '{{zeta}} {{ alpha }} {{zeta}}',
        constraints: ['{{beta}}', '{{Alpha}}'],
        outputFormat: '{{gamma_2}}',
        task: '{{alpha}} {{_delta}}',
        examples: [{ input: '{{example_only}}', output: 'x' }],
      }),
    );
    assert.deepEqual(names, ['Alpha', '_delta', 'alpha', 'beta', 'gamma_2', 'zeta']);
  });

  void it('treats anything but a plain identifier between double braces as text', () => {
    const odd = template({ system: 'Refer to {{steps.s1}}, {{steps.<id>}}, {{ }} and {{2x}}.', task: 'go' });
    assert.deepEqual(templateVariables(odd), []);
    assert.equal(renderPrompt(odd, {}).messages[0]?.content, odd.system);
  });
});

void describe('prompt refs', () => {
  void it('parses what formatPromptRef writes', () => {
    assert.deepEqual(parsePromptRef('psv.plan@v2'), { id: 'psv.plan', version: 'v2' });
    assert.equal(formatPromptRef(parsePromptRef('agent.system@2025-01.b')), 'agent.system@2025-01.b');
  });

  void it('refuses text that is not <id>@<version>', () => {
    for (const text of ['psv.plan', 'a@b@c', '@v1', 'Upper@v1'])
      assert.throws(() => parsePromptRef(text), /a prompt ref is <id>@<version>/, text);
  });
});
