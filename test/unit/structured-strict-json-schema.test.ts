import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { isStrictCompatibleSchema } from '../../activities/llm/openai/strict-json-schema.js';

const closed = (properties: Record<string, unknown>): Record<string, unknown> => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});

const jsonSchemaOf = (schema: z.ZodType): Record<string, unknown> => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema) as Record<string, unknown>;
  return rest;
};

void describe('isStrictCompatibleSchema', () => {
  void it('accepts closed objects all the way down: properties, items, anyOf and $defs', () => {
    const step = closed({ tool: { type: 'string' }, why: { anyOf: [{ type: 'string' }, { type: 'null' }] } });
    const schema = {
      ...closed({
        goal: { type: 'string' },
        steps: { type: 'array', items: step },
        choice: { anyOf: [closed({ a: { type: 'number' } }), { $ref: '#/$defs/leaf' }] },
      }),
      $defs: { leaf: closed({ b: { type: 'boolean' } }) },
    };
    assert.equal(isStrictCompatibleSchema(schema), true);
  });

  void it('accepts what zod emits for an object of required fields and nullables', () => {
    const plan = z.object({
      goal: z.string(),
      steps: z.array(z.object({ tool: z.string(), input: z.string().nullable() })),
    });
    assert.equal(isStrictCompatibleSchema(jsonSchemaOf(plan)), true);
  });

  void it('rejects an object that is open, at the root or nested anywhere', () => {
    const open = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
    assert.equal(isStrictCompatibleSchema(open), false);
    assert.equal(isStrictCompatibleSchema(closed({ inner: open })), false);
    assert.equal(isStrictCompatibleSchema(closed({ list: { type: 'array', items: open } })), false);
    assert.equal(isStrictCompatibleSchema(closed({ either: { anyOf: [open, { type: 'null' }] } })), false);
    assert.equal(isStrictCompatibleSchema({ ...closed({}), $defs: { open } }), false);
    assert.equal(isStrictCompatibleSchema({ ...closed({}), definitions: { open } }), false);
  });

  void it('rejects an object with a property missing from required (zod optional fields)', () => {
    assert.equal(isStrictCompatibleSchema({ ...closed({ a: { type: 'string' } }), required: [] }), false);
    assert.equal(isStrictCompatibleSchema(jsonSchemaOf(z.object({ a: z.string().optional() }))), false);
  });

  void it('rejects keywords strict mode refuses, such as the oneOf zod emits for discriminated unions', () => {
    const union = z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('a') }),
      z.object({ kind: z.literal('b') }),
    ]);
    assert.equal(isStrictCompatibleSchema(jsonSchemaOf(z.object({ pick: union }))), false);
    assert.equal(isStrictCompatibleSchema(jsonSchemaOf(z.object({ n: z.number().default(1) }))), false);
    assert.equal(isStrictCompatibleSchema(closed({ both: { allOf: [closed({}), closed({})] } })), false);
  });

  void it('rejects a root that is not an object', () => {
    assert.equal(isStrictCompatibleSchema({ type: 'array', items: { type: 'string' } }), false);
    assert.equal(isStrictCompatibleSchema({ anyOf: [closed({}), closed({})] }), false);
    assert.equal(isStrictCompatibleSchema({}), false);
  });
});
