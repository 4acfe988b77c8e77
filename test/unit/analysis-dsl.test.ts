import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isStrictCompatibleSchema } from '../../activities/llm/openai/strict-json-schema.js';
import type { SpecError } from '../../client/analysis-dsl/index.js';
import { formatSpecErrors, inferFieldType, parseAnalysisSpec } from '../../client/analysis-dsl/index.js';
import type { AnalysisSpec } from '../../common/analysis-spec.js';
import { extractionJsonSchemaFor, extractionSchemaFor } from '../../common/analysis-spec.js';

const example = (name: string): string =>
  readFileSync(new URL(`../../examples/analysis/${name}`, import.meta.url), 'utf8');

const parsed = (text: string): AnalysisSpec => {
  const result = parseAnalysisSpec(text);
  if (!result.ok) assert.fail(formatSpecErrors(result.errors, 'spec'));
  return result.spec;
};

const errorsOf = (text: string): SpecError[] => {
  const result = parseAnalysisSpec(text);
  assert.equal(result.ok, false, 'the spec should not parse');
  return result.ok ? [] : result.errors;
};

/** Asserts the single error, as `line:column message | hint`. */
const onlyError = (text: string): string => {
  const errors = errorsOf(text);
  assert.equal(errors.length, 1, formatSpecErrors(errors));
  const [error] = errors;
  return error ? `${error.line}:${error.column} ${error.message} | ${error.hint ?? ''}` : '';
};

const briefExample = `ANALYZE contracts {
  EXTRACT: parties, effective_date, governing_law, termination, liability_cap
  COMPARE: governing_law, liability_cap ACROSS documents
  IDENTIFY: risks, inconsistencies
  OUTPUT: executive_summary, detailed_findings
}`;

void describe('parseAnalysisSpec: valid specs', () => {
  void it('parses the example spec to the expected AnalysisSpec', () => {
    assert.deepEqual(parsed(example('contracts.spec')), {
      name: 'contracts',
      fields: [
        {
          name: 'parties',
          type: 'list',
          typeSource: 'declared',
          description: 'every legal entity that signs the agreement',
        },
        { name: 'effective_date', type: 'date', typeSource: 'inferred' },
        {
          name: 'governing_law',
          type: 'text',
          typeSource: 'inferred',
          description: 'the jurisdiction whose law governs the agreement',
        },
        {
          name: 'termination',
          type: 'text',
          typeSource: 'inferred',
          description: 'how and when either party may end the agreement',
        },
        { name: 'liability_cap', type: 'money', typeSource: 'declared' },
      ],
      compare: ['governing_law', 'liability_cap'],
      across: 'documents',
      identify: ['risks', 'inconsistencies'],
      output: ['executive_summary', 'detailed_findings'],
    });
  });

  void it('parses the undecorated spec from the brief, inferring every type', () => {
    const spec = parsed(briefExample);
    assert.deepEqual(
      spec.fields.map((field) => `${field.name}:${field.type}:${field.typeSource}`),
      [
        'parties:list:inferred',
        'effective_date:date:inferred',
        'governing_law:text:inferred',
        'termination:text:inferred',
        'liability_cap:money:inferred',
      ],
    );
  });

  void it('parses the leases example', () => {
    const spec = parsed(example('leases.spec'));
    assert.equal(spec.name, 'leases');
    assert.equal(spec.fields.length, 10);
    assert.deepEqual(spec.compare, ['monthly_rent', 'expiration', 'renewal_options']);
  });

  void it('lets a declared type override the inferred one, and keeps the description', () => {
    const spec = parsed('ANALYZE x {\n  EXTRACT: fees (text) "how fees are computed", renewal_date\n}');
    assert.deepEqual(spec.fields, [
      { name: 'fees', type: 'text', typeSource: 'declared', description: 'how fees are computed' },
      { name: 'renewal_date', type: 'date', typeSource: 'inferred' },
    ]);
    assert.deepEqual([spec.compare, spec.identify, spec.output], [[], [], []]);
  });

  void it('ignores # and -- comments and accepts lower-case keywords', () => {
    const spec = parsed(
      '# leading comment\nanalyze x { -- trailing\n  extract: a, # one\n    b -- two\n  compare: a, b across documents\n}\n',
    );
    assert.deepEqual(
      [spec.fields.map((field) => field.name), spec.compare],
      [
        ['a', 'b'],
        ['a', 'b'],
      ],
    );
  });
});

void describe('inferFieldType', () => {
  void it('applies the documented name rules', () => {
    const cases: Record<string, string> = {
      date: 'date',
      effective_date: 'date',
      expiration: 'date',
      effective: 'date',
      liability_cap: 'money',
      amount: 'money',
      price: 'money',
      late_fee: 'money',
      payment: 'money',
      parties: 'list',
      obligations: 'list',
      address: 'text',
      status: 'text',
      governing_law: 'text',
    };
    for (const [name, type] of Object.entries(cases)) assert.equal(inferFieldType(name), type, name);
  });
});

void describe('parseAnalysisSpec: errors', () => {
  void it('suggests the nearest keyword for an unknown one', () => {
    assert.equal(
      onlyError('ANALYZE c {\n  EXTRACT: a\n  IDENTFY: risks\n}'),
      '3:3 unknown keyword `IDENTFY` | did you mean `IDENTIFY`?',
    );
    assert.equal(
      onlyError('ANALYSE c {\n  EXTRACT: a\n}'),
      '1:1 unknown keyword `ANALYSE` | did you mean `ANALYZE`?',
    );
  });

  void it('says an empty spec is empty, at its first line (not null:null)', () => {
    for (const text of ['', '  \n\n', '# only a comment\n-- and another\n'])
      assert.equal(
        onlyError(text),
        '1:1 the spec is empty | write `ANALYZE <name> { EXTRACT: <field>, ... }`, e.g. `ANALYZE contracts { EXTRACT: parties }`',
      );
    // Text that is no spec at all still has a position.
    assert.match(onlyError('contracts'), /^1:\d+ expected /);
  });

  void it('reports a missing opening brace just after the name', () => {
    assert.equal(
      onlyError('ANALYZE c\n  EXTRACT: a\n}'),
      '1:10 expected `{` to open the block, found `EXTRACT` | write `ANALYZE <name> {` and close the block with `}`',
    );
  });

  void it('reports a missing closing brace at the end of the spec', () => {
    assert.equal(
      onlyError('ANALYZE c {\n  EXTRACT: a, b'),
      '2:16 missing `}` at the end of the spec | close the ANALYZE block with `}` after the last section',
    );
  });

  void it('reports a field listed twice with where it first appeared', () => {
    assert.equal(
      onlyError('ANALYZE c {\n  EXTRACT: parties, governing_law, parties\n}'),
      '2:36 EXTRACT lists `parties` twice (first at line 2, column 12) | remove one of them',
    );
  });

  void it('reports a COMPARE field that EXTRACT does not list, with a suggestion', () => {
    assert.equal(
      onlyError('ANALYZE c {\n  EXTRACT: governing_law\n  COMPARE: governing_lw ACROSS documents\n}'),
      '3:12 COMPARE names `governing_lw`, which EXTRACT does not list | did you mean `governing_law`?',
    );
    assert.equal(
      onlyError('ANALYZE c {\n  EXTRACT: governing_law\n  COMPARE: price\n}'),
      '3:12 COMPARE names `price`, which EXTRACT does not list | add `price` to EXTRACT',
    );
  });

  void it('accepts only documents after ACROSS', () => {
    assert.equal(
      onlyError('ANALYZE c {\n  EXTRACT: a\n  COMPARE: a ACROSS sections\n}'),
      '3:21 COMPARE can only compare across `documents`, not `sections` | write `ACROSS documents`',
    );
  });

  void it('reports an empty section', () => {
    assert.equal(
      onlyError('ANALYZE c {\n  EXTRACT: a\n  IDENTIFY:\n  OUTPUT: summary\n}'),
      '3:3 IDENTIFY is empty | list at least one name, or remove the section',
    );
  });

  void it('reports an unknown type with the nearest one', () => {
    assert.equal(
      onlyError('ANALYZE c {\n  EXTRACT: parties (lst)\n}'),
      '2:21 unknown type `lst` for `parties` | did you mean `list`?',
    );
    assert.equal(
      onlyError('ANALYZE c {\n  EXTRACT: parties (person)\n}'),
      '2:21 unknown type `person` for `parties` | the types are date, money, text and list',
    );
  });

  void it('points at the type syntax when `name: type` is used', () => {
    const errors = errorsOf('ANALYZE c {\n  EXTRACT: parties: list\n}');
    assert.deepEqual(errors.at(-1), {
      line: 2,
      column: 12,
      message: 'unknown keyword `parties`',
      hint: 'to declare a type, write `parties (list)`',
    });
  });

  void it('reports IDENTIFY and OUTPUT names that are not identifiers', () => {
    assert.equal(
      onlyError('ANALYZE c {\n  EXTRACT: a\n  OUTPUT: executive summary\n}'),
      '3:11 OUTPUT names `executive summary`, which is not an identifier | join the words with `_` (`executive_summary`) or separate names with commas',
    );
    assert.equal(
      onlyError('ANALYZE c {\n  EXTRACT: a\n  IDENTIFY: "red flags"\n}'),
      '3:13 IDENTIFY names `red flags`, which is not an identifier | write it without quotes, e.g. `red_flags`',
    );
    assert.equal(
      onlyError('ANALYZE c {\n  EXTRACT: a\n  OUTPUT: 1st_draft\n}'),
      '3:11 OUTPUT names `1st_draft`, which is not an identifier | names start with a letter or `_`, e.g. `_1st_draft`',
    );
  });

  void it('reports a section keyword missing its colon', () => {
    assert.equal(
      onlyError('ANALYZE c {\n  EXTRACT: a, b\n  OUTPUT summary\n}'),
      '3:3 `OUTPUT` is missing its `:` | write `OUTPUT: names`',
    );
  });

  void it('reports a trailing comma, a stray character and text after the block', () => {
    assert.equal(
      onlyError('ANALYZE c {\n  EXTRACT: a,\n}'),
      '3:1 expected a name, found `}` | remove the `,` after the last name, or add a name after it',
    );
    assert.match(onlyError('ANALYZE c {\n  EXTRACT: a, b;\n}'), /^2:16 unexpected character `;`/);
    assert.equal(
      onlyError('ANALYZE c {\n  EXTRACT: a\n} extra'),
      '3:3 unexpected `extra` after the closing `}` | everything belongs inside the one `ANALYZE <name> { ... }` block',
    );
  });

  void it('reports a missing EXTRACT section and a repeated section', () => {
    assert.equal(
      onlyError('ANALYZE c {\n  OUTPUT: summary\n}'),
      '1:1 `c` has no EXTRACT section | add `EXTRACT: name, name` with the fields to pull from each document',
    );
    assert.equal(
      onlyError('ANALYZE c {\n  EXTRACT: a\n  EXTRACT: b\n}'),
      '3:3 EXTRACT appears twice (first at line 2, column 3) | merge the two lists into one section',
    );
  });

  void it('reports several errors at once, in order', () => {
    const errors = errorsOf(
      [
        'ANALYZE c {',
        '  EXTRAKT: a',
        '  EXTRACT: parties, parties (lst)',
        '  COMPARE: governing_lw ACROSS sections',
        '  OUTPUT: executive summary',
        '}',
      ].join('\n'),
    );
    assert.deepEqual(
      errors.map((error) => `${error.line}:${error.column}`),
      ['2:3', '3:21', '4:12', '4:32', '5:11'],
    );
    const text = formatSpecErrors(errors, 'contracts.spec');
    assert.match(text, /^contracts\.spec:2:3: unknown keyword `EXTRAKT`\n {2}hint: did you mean `EXTRACT`\?/);
  });

  void it('recovers after a syntax error and still reports later ones', () => {
    const errors = errorsOf('ANALYZE c\n  EXTRACT: a (date\n  OUTPUT: x\n');
    assert.deepEqual(
      errors.map((error) => `${error.line}:${error.column} ${error.message}`),
      [
        '1:10 expected `{` to open the block, found `EXTRACT`',
        '2:19 expected `)` after the type, found `OUTPUT`',
        '3:12 missing `}` at the end of the spec',
      ],
    );
  });
});

void describe('extractionSchemaFor', () => {
  const spec = parsed(example('contracts.spec'));
  const schema = extractionSchemaFor(spec);

  void it('accepts a well-formed extraction of each field type', () => {
    const good = {
      fields: [
        { field: 'parties', value: ['Acme Ltd', 'Globex Inc'], quote: 'between Acme Ltd and Globex Inc' },
        { field: 'effective_date', value: '2024-03-01', quote: 'effective as of March 1, 2024' },
        { field: 'governing_law', value: 'England and Wales', quote: 'governed by the laws of England' },
        {
          field: 'liability_cap',
          value: { amount: 1000000, currency: 'USD', text: 'USD 1,000,000' },
          quote: 'shall not exceed USD 1,000,000',
        },
      ],
    };
    assert.deepEqual(schema.parse(good), good);
    assert.equal(schema.safeParse({ fields: [] }).success, true);
  });

  void it('rejects an unknown field, a wrong value type and a missing quote', () => {
    const bad = [
      { field: 'price', value: 'x', quote: 'q' },
      { field: 'parties', value: 'Acme Ltd', quote: 'q' },
      { field: 'liability_cap', value: '1,000,000', quote: 'q' },
      { field: 'effective_date', value: ['2024'], quote: 'q' },
      { field: 'termination', value: 'on notice' },
    ];
    for (const entry of bad) {
      assert.equal(schema.safeParse({ fields: [entry] }).success, false, JSON.stringify(entry));
    }
  });

  void it('has a JSON Schema with an object root that strict structured output accepts', () => {
    const jsonSchema = extractionJsonSchemaFor(spec);
    assert.equal(jsonSchema.type, 'object');
    assert.equal(jsonSchema.$schema, undefined);
    assert.equal(isStrictCompatibleSchema(jsonSchema), true);
    assert.doesNotMatch(JSON.stringify(jsonSchema), /"oneOf"/);
  });

  void it('has no union when every field has one type', () => {
    const single = parsed('ANALYZE c {\n  EXTRACT: governing_law, termination\n}');
    const items = (
      extractionJsonSchemaFor(single).properties as { fields: { items: Record<string, unknown> } }
    ).fields.items;
    assert.deepEqual(items.properties && Object.keys(items.properties), ['field', 'value', 'quote']);
  });
});
