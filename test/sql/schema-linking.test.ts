import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ColumnInfo, DatabaseSchema, TableInfo } from '../../common/database.js';
import {
  formatSchemaForPrompt,
  joinEdges,
  linkSchema,
  neighbourShare,
  type SchemaRanker,
} from '../../activities/sql/schema-linking.js';
import { splitWords, stem, termsOf } from '../../activities/sql/tokenize-identifiers.js';

function column(name: string, extra: Partial<ColumnInfo> = {}): ColumnInfo {
  return { name, type: 'TEXT', nullable: true, primaryKey: false, samples: [], ...extra };
}
const key = (name: string): ColumnInfo =>
  column(name, { type: 'INTEGER', nullable: false, primaryKey: true });
const table = (name: string, columns: ColumnInfo[], extra: Partial<TableInfo> = {}): TableInfo => ({
  name,
  rowCount: 10,
  columns,
  ...extra,
});
const schemaOf = (...tables: TableInfo[]): DatabaseSchema => ({
  dialect: 'sqlite',
  fingerprint: 'test',
  tables,
});
const order = (question: string, schema: DatabaseSchema): string[] =>
  linkSchema(question, schema).map((ranked) => ranked.table);

// A small shop: the album/artist link is a column named `MadeBy`, so only the foreign key joins them.
const shop = schemaOf(
  table('Artist', [key('ArtistId'), column('Name', { samples: ['Miles Davis', 'Nina Simone'] })]),
  table('Album', [
    key('AlbumId'),
    column('Title'),
    column('MadeBy', { type: 'INTEGER', references: { table: 'Artist', column: 'ArtistId' } }),
  ]),
  table('Track', [
    key('TrackId'),
    column('Name'),
    column('AlbumId', { type: 'INTEGER', references: { table: 'Album', column: 'AlbumId' } }),
    column('UnitPrice', { type: 'NUMERIC(10,2)', nullable: false }),
  ]),
  table('Invoice', [
    key('InvoiceId'),
    column('BillingCity', { samples: ['Oslo', 'Paris'] }),
    column('Total', { type: 'NUMERIC(10,2)', nullable: false }),
  ]),
  table('Store', [key('StoreId'), column('City', { samples: ['Lisbon', 'Porto'] })]),
  table('Emp', [key('EmpId'), column('Surname')], { comment: 'Staff members who work in the stores' }),
  table('ProductCategory', [
    key('CategoryId'),
    column('Label', { comment: 'what shoppers see on the shelf' }),
  ]),
);

void describe('tokenize-identifiers', () => {
  void it('splits CamelCase, snake_case, acronyms and digits', () => {
    assert.deepEqual(splitWords('InvoiceLine billing_city HTTPServer mp3Files'), [
      'Invoice',
      'Line',
      'billing',
      'city',
      'HTTP',
      'Server',
      'mp',
      '3',
      'Files',
    ]);
  });

  void it('stems singular and plural to the same term and drops stop words', () => {
    for (const [plural, singular] of [
      ['invoices', 'invoice'],
      ['artists', 'artist'],
      ['categories', 'category'],
      ['boxes', 'box'],
      ['employees', 'employee'],
    ] as const) {
      assert.equal(stem(plural), stem(singular), plural);
    }
    assert.equal(stem('status'), 'status');
    assert.deepEqual(termsOf('How many of the Invoices'), [stem('invoice')]);
  });
});

void describe('linkSchema', () => {
  void it('ranks the table a question names first, singular or plural', () => {
    assert.equal(order('List all invoices', shop)[0], 'Invoice');
    assert.equal(order('Which artists are there?', shop)[0], 'Artist');
    assert.equal(order('product categories and their labels', shop)[0], 'ProductCategory');
  });

  void it('uses column words, sample values and comments', () => {
    const byColumn = linkSchema('total per billing city', shop);
    assert.equal(byColumn[0]?.table, 'Invoice');
    assert.deepEqual(
      byColumn[0]?.columns.slice(0, 2).map((ranked) => ranked.name),
      ['BillingCity', 'Total'],
    );
    assert.equal(order('How many are in Lisbon?', shop)[0], 'Store', 'a sample value');
    assert.equal(order('Who are the staff?', shop)[0], 'Emp', 'a table comment');
    assert.equal(order('what do shoppers see', shop)[0], 'ProductCategory', 'a column comment');
  });

  void it('gives foreign-key neighbours of matched tables a share of their score', () => {
    const ranked = linkSchema('tracks by artist', shop);
    assert.deepEqual(
      new Set(ranked.slice(0, 3).map((entry) => entry.table)),
      new Set(['Track', 'Artist', 'Album']),
    );
    const score = (name: string): number => ranked.find((entry) => entry.table === name)!.score;
    // Album matches no word of the question: its whole score is one share from each side of the join.
    assert.ok(Math.abs(score('Album') - neighbourShare * (score('Track') + score('Artist'))) < 1e-5);
    assert.ok(score('Album') > 0);
    assert.equal(score('Store'), 0);
  });

  void it('infers joins from <Table>Id columns when no foreign keys are declared', () => {
    const undeclared = schemaOf(
      table('Customer', [key('Id'), column('CompanyName')]),
      table('Order', [key('Id'), column('CustomerId', { type: 'INTEGER' }), column('Freight')]),
      table('Shipper', [key('Id'), column('Phone')]),
    );
    assert.deepEqual(joinEdges(undeclared), [
      ['Customer', 'Order'],
      ['Order', 'Customer'],
    ]);
    const ranked = linkSchema('freight', undeclared);
    assert.deepEqual(
      ranked.map((entry) => entry.table),
      ['Order', 'Customer', 'Shipper'],
    );
    assert.ok(ranked[1]!.score > 0);
  });

  void it('adds min-max normalized scores from extra rankers, times their weight', () => {
    const scale = (offset: number, factor: number): SchemaRanker => ({
      name: `scaled-${offset}-${factor}`,
      rank: () =>
        new Map([
          ['Store', offset + 3 * factor],
          ['Emp', offset + factor],
          ['Artist', offset],
        ]),
    });
    const plain = linkSchema('List all invoices', shop);
    const first = linkSchema('List all invoices', shop, { rankers: [scale(0, 1)] });
    const second = linkSchema('List all invoices', shop, { rankers: [scale(100, 40)] });
    assert.deepEqual(first, second, 'only the normalized scores count');
    assert.equal(first[0]!.table, 'Invoice', 'a tie with the lexical winner goes by name');
    assert.equal(first.find((entry) => entry.table === 'Store')!.score, 1);
    assert.ok(Math.abs(first.find((entry) => entry.table === 'Emp')!.score - 1 / 3) < 1e-6);
    assert.equal(plain.find((entry) => entry.table === 'Store')!.score, 0);
    const heavy = linkSchema('List all invoices', shop, { rankers: [{ ...scale(0, 1), weight: 3 }] });
    assert.equal(heavy[0]!.table, 'Store');
  });

  void it('is deterministic: the same input gives the same output, ties go by name', () => {
    assert.deepEqual(
      linkSchema('tracks by artist', shop),
      linkSchema('tracks by artist', structuredClone(shop)),
    );
    const nothing = linkSchema('the of and', shop);
    assert.deepEqual(
      nothing.map((entry) => entry.table),
      shop.tables.map((entry) => entry.name).sort(),
    );
    assert.ok(nothing.every((entry) => entry.score === 0));
    assert.equal(linkSchema('invoices', shop, { limit: 2 }).length, 2);
  });
});

void describe('formatSchemaForPrompt', () => {
  const small = schemaOf(
    table(
      'Customer',
      [key('Id'), column('Name', { nullable: false, samples: ["O'Brien", 'Smith', 'Lee', 'Ng'] })],
      {
        rowCount: 4,
      },
    ),
    table(
      'Order',
      [
        key('Id'),
        column('CustomerId', { type: 'INTEGER' }),
        column('Total', { type: 'NUMERIC', comment: 'after tax', samples: ['12.5'] }),
      ],
      { rowCount: 9, comment: 'One row per order' },
    ),
    table(
      'OrderLine',
      [
        key('OrderId'),
        key('LineNumber'),
        column('OrderRef', { type: 'INTEGER', references: { table: 'Order', column: 'Id' } }),
      ],
      { rowCount: 20 },
    ),
  );

  void it('renders the top tables as compact CREATE TABLE text', () => {
    const ranked = linkSchema('order totals per customer', small);
    const text = formatSchemaForPrompt(small, ranked, { maxTables: 3 });
    assert.equal(
      text,
      [
        'CREATE TABLE "Order" ( -- 9 rows; One row per order',
        '  "Id" INTEGER PRIMARY KEY,',
        '  "CustomerId" INTEGER, -- likely references "Customer"("Id")',
        '  "Total" NUMERIC -- after tax; e.g. 12.5',
        ');',
        '',
        'CREATE TABLE "Customer" ( -- 4 rows',
        '  "Id" INTEGER PRIMARY KEY,',
        "  \"Name\" TEXT NOT NULL -- e.g. 'O''Brien', 'Smith', 'Lee'",
        ');',
        '',
        'CREATE TABLE "OrderLine" ( -- 20 rows',
        '  "OrderId" INTEGER, -- likely references "Order"("Id")',
        '  "LineNumber" INTEGER,',
        '  "OrderRef" INTEGER REFERENCES "Order"("Id"),',
        '  PRIMARY KEY ("OrderId", "LineNumber")',
        ');',
      ].join('\n'),
    );
    assert.equal(formatSchemaForPrompt(small, ranked, { maxTables: 3 }), text, 'deterministic');
  });

  void it('shows at most maxTables tables', () => {
    const ranked = linkSchema('order totals per customer', small);
    const text = formatSchemaForPrompt(small, ranked, { maxTables: 1 });
    assert.equal(text.match(/CREATE TABLE/g)?.length, 1);
    assert.match(text, /^CREATE TABLE "Order"/);
  });
});
