import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { maximalMarginalRelevance, reciprocalRankFusion } from '../../activities/knowledge/fuse-rankings.js';
import { hybridSearch } from '../../activities/knowledge/hybrid-search.js';
import { openKnowledgeStore } from '../../activities/knowledge/open-knowledge-store.js';
import type { ChunkToStore, KnowledgeStore } from '../../activities/knowledge/knowledge-store.js';
import { ftsQuery, parseChunkId, tsQuery } from '../../activities/knowledge/search-text.js';
import {
  denseSearchSql,
  openPostgresKnowledgeStore,
} from '../../activities/knowledge/postgres-knowledge-store.js';
import { openSqliteKnowledgeStore } from '../../activities/knowledge/sqlite-knowledge-store.js';
import { hashedEmbedding } from '../../common/embedding.js';
import { createTestDatabase, requirePostgres } from '../helpers/postgres.js';

const folder = mkdtempSync(path.join(tmpdir(), 'llmos-knowledge-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const embedding = { model: 'scripted:hashed', dimensions: 256 };
const chunksOf = (texts: readonly string[]): ChunkToStore[] => {
  let start = 0;
  return texts.map((text, index) => {
    const chunk = { index, start, end: start + text.length, text, vector: hashedEmbedding(text) };
    start = chunk.end + 1;
    return chunk;
  });
};
const sha = (label: string) => label.padEnd(64, '0');

const router = [
  'To reset the router, hold the reset button for ten seconds until the light blinks.',
  'The router supports WPA3 encryption on both the 2.4 GHz and 5 GHz bands.',
  'Firmware updates install automatically every night at 3 a.m.',
];
const phone = [
  'To reset the phone, open Settings, then System, then Reset options.',
  'The phone battery lasts two days with normal use.',
];
const manuel = ['Pour réinitialiser le routeur, maintenez le bouton reset pendant dix secondes.'];

/** The same calls against a store, whichever it is; `open` gives a fresh, empty one. */
function storeContract(
  name: string,
  open: () => KnowledgeStore | Promise<KnowledgeStore>,
  options: { skip: string | false } = { skip: false },
) {
  void describe(`knowledge store contract: ${name}`, options, () => {
    void it('keeps documents with metadata, searches by words and by vector, and filters', async () => {
      const store = await open();
      try {
        const info = await store.createBase('support', embedding);
        assert.deepEqual(info, {
          name: 'support',
          embeddingModel: 'scripted:hashed',
          dimensions: 256,
          documents: 0,
          chunks: 0,
        });
        await store.replaceDocument(
          'support',
          {
            id: 'router.md',
            name: 'router.md',
            sha256: sha('a'),
            metadata: { product: 'router', language: 'en', updatedAt: '2026-03-01' },
          },
          chunksOf(router),
        );
        await store.replaceDocument(
          'support',
          {
            id: 'phone.md',
            name: 'phone.md',
            sha256: sha('b'),
            metadata: { product: 'phone', language: 'en', updatedAt: '2025-01-10' },
          },
          chunksOf(phone),
        );
        await store.replaceDocument(
          'support',
          {
            id: 'routeur.md',
            name: 'routeur.md',
            sha256: sha('c'),
            metadata: { product: 'router', language: 'fr' },
          },
          chunksOf(manuel),
        );
        assert.equal((await store.base('support'))?.chunks, 6);
        const held = await store.heldDocument('support', 'phone.md');
        assert.equal(held?.sha256, sha('b'));
        assert.equal(held.chunks, chunksOf(phone).length);
        assert.equal(await store.heldDocument('support', 'nothing.md'), undefined);

        const keyword = await store.keywordSearch('support', 'how do I reset the router?', { limit: 3 });
        assert.equal(keyword[0]?.chunk.id, 'router.md#0');
        assert.deepEqual(keyword[0]?.chunk.metadata, {
          product: 'router',
          language: 'en',
          updatedAt: '2026-03-01',
        });
        assert.equal(keyword[0]?.chunk.text, router[0]);
        assert.ok(keyword.every((hit, index) => index === 0 || hit.score <= keyword[index - 1]!.score));

        const dense = await store.denseSearch('support', hashedEmbedding(phone[1]!), { limit: 2 });
        assert.equal(dense[0]?.chunk.id, 'phone.md#1');
        assert.ok(Math.abs(dense[0].score - 1) < 1e-5, 'the same text scores cosine 1');

        const phones = await store.keywordSearch('support', 'reset', {
          limit: 10,
          filter: { product: ['phone'] },
        });
        assert.deepEqual(
          phones.map((hit) => hit.chunk.id),
          ['phone.md#0'],
        );
        const french = await store.denseSearch('support', hashedEmbedding('reset router'), {
          limit: 10,
          filter: { language: ['fr'] },
        });
        assert.deepEqual(
          french.map((hit) => hit.chunk.id),
          ['routeur.md#0'],
          'a filtered search still finds its k',
        );
        const recent = await store.keywordSearch('support', 'reset', {
          limit: 10,
          filter: { updatedAfter: '2026-01-01' },
        });
        assert.deepEqual(
          recent.map((hit) => hit.chunk.id),
          ['router.md#0'],
        );
        const recentDense = await store.denseSearch('support', hashedEmbedding('reset'), {
          limit: 10,
          filter: { updatedAfter: '2026-01-01', product: ['router', 'phone'] },
        });
        assert.deepEqual(recentDense.map((hit) => hit.chunk.documentId).sort(), [
          'router.md',
          'router.md',
          'router.md',
        ]);
      } finally {
        await store.close();
      }
    });

    void it('replaces a changed document whole, removes one, and drops a base', async () => {
      const store = await open();
      try {
        await store.createBase('replace', embedding);
        const document = { id: 'faq.md', name: 'faq.md', sha256: sha('1'), metadata: {} };
        await store.replaceDocument(
          'replace',
          document,
          chunksOf(['Old answer about refunds.', 'Old answer about shipping.']),
        );
        await store.replaceDocument(
          'replace',
          document,
          chunksOf(['Old answer about refunds.', 'Old answer about shipping.']),
        );
        assert.equal((await store.base('replace'))?.chunks, 2, 'the same document twice is one copy');
        await store.replaceDocument(
          'replace',
          { ...document, sha256: sha('2') },
          chunksOf(['New refund policy: thirty days.']),
        );
        assert.deepEqual(await store.listDocuments('replace'), [
          { id: 'faq.md', name: 'faq.md', sha256: sha('2'), metadata: {}, chunks: 1 },
        ]);
        assert.deepEqual(
          await store.keywordSearch('replace', 'shipping', { limit: 5 }),
          [],
          'old chunks are gone from the index',
        );
        assert.equal(
          (await store.denseSearch('replace', hashedEmbedding('shipping'), { limit: 5 })).length,
          1,
        );
        const vectors = await store.vectors('replace', ['faq.md#0', 'faq.md#1', 'nothing']);
        assert.deepEqual([...vectors.keys()], ['faq.md#0']);
        assert.deepEqual(
          vectors.get('faq.md#0'),
          hashedEmbedding('New refund policy: thirty days.').map(Math.fround),
          'the vector as given, in single precision',
        );

        assert.equal(await store.removeDocument('replace', 'faq.md'), true);
        assert.equal(await store.removeDocument('replace', 'faq.md'), false);
        assert.equal((await store.base('replace'))?.chunks, 0);
        assert.deepEqual(await store.denseSearch('replace', hashedEmbedding('refund'), { limit: 5 }), []);
        assert.equal(await store.dropBase('replace'), true);
        assert.equal(await store.base('replace'), undefined);
        assert.equal(await store.dropBase('replace'), false);
      } finally {
        await store.close();
      }
    });

    void it('refuses what does not fit: another model, a wrong vector length, no such base', async () => {
      const store = await open();
      try {
        await store.createBase('strict', embedding);
        await store.createBase('strict', embedding);
        await assert.rejects(
          store.createBase('strict', { model: 'local:all-minilm-l6-v2', dimensions: 384 }),
          /embeds with scripted:hashed/,
        );
        await assert.rejects(
          store.replaceDocument('strict', { id: 'a', name: 'a', sha256: sha('a'), metadata: {} }, [
            { index: 0, start: 0, end: 1, text: 'a', vector: [1, 0] },
          ]),
          /vector of 2 values; knowledge base "strict" holds 256/,
        );
        await assert.rejects(
          store.keywordSearch('nowhere', 'a', { limit: 1 }),
          /no knowledge base "nowhere"/,
        );
        // Query syntax in a user's words is only words.
        assert.deepEqual(await store.keywordSearch('strict', 'NEAR("a" AND -b) OR *', { limit: 1 }), []);
        assert.deepEqual(await store.keywordSearch('strict', '?!', { limit: 1 }), []);
        assert.deepEqual(
          (await store.listBases()).map((base) => base.name).filter((name) => name === 'strict'),
          ['strict'],
        );
      } finally {
        await store.close();
      }
    });

    void it('fuses both retrievers and keeps near-duplicates apart', async () => {
      const store = await open();
      try {
        await store.createBase('hybrid', embedding);
        await store.replaceDocument(
          'hybrid',
          { id: 'router.md', name: 'router.md', sha256: sha('a'), metadata: {} },
          chunksOf(router),
        );
        await store.replaceDocument(
          'hybrid',
          { id: 'copy.md', name: 'copy.md', sha256: sha('b'), metadata: {} },
          chunksOf([router[0]!, 'Warranty claims need the original receipt.']),
        );
        const query = { text: 'reset the router', vector: hashedEmbedding('reset the router') };
        const plain = await hybridSearch(store, 'hybrid', query, { limit: 2 });
        assert.deepEqual(
          plain.map((chunk) => chunk.text),
          [router[0], router[0]],
          'without MMR (the default) the copy comes second',
        );
        assert.ok(plain[0]!.ranks.keyword && plain[0]!.ranks.dense, 'found by both retrievers');
        const diverse = await hybridSearch(store, 'hybrid', query, { limit: 2, mmrLambda: 0.7 });
        assert.equal(diverse[0]?.text, router[0]);
        assert.notEqual(diverse[1]?.text, router[0], 'MMR moves the duplicate down');
        const keywordOnly = await hybridSearch(store, 'hybrid', query, { limit: 5, mode: 'keyword' });
        assert.ok(keywordOnly.every((chunk) => chunk.ranks.dense === undefined));
      } finally {
        await store.close();
      }
    });

    void it('leaves one copy when the same document is written twice at once', async () => {
      const store = await open();
      try {
        await store.createBase('race', embedding);
        const document = { id: 'router.md', name: 'router.md', sha256: sha('a'), metadata: {} };
        await Promise.all([
          store.replaceDocument('race', document, chunksOf(router)),
          store.replaceDocument('race', document, chunksOf(router)),
          store.replaceDocument('race', { ...document, sha256: sha('b') }, chunksOf(router.slice(0, 2))),
        ]);
        const [stored] = await store.listDocuments('race');
        assert.equal(stored?.chunks, stored?.sha256 === sha('b') ? 2 : 3, 'one whole version, not a mix');
        assert.equal((await store.base('race'))?.chunks, stored?.chunks);
        await Promise.all([
          store.removeDocument('race', 'router.md'),
          store.removeDocument('race', 'router.md'),
        ]);
        assert.deepEqual(await store.listDocuments('race'), []);
      } finally {
        await store.close();
      }
    });
  });
}

storeContract('SQLite (sqlite-vec, FTS5)', () =>
  openSqliteKnowledgeStore(path.join(folder, `${crypto.randomUUID()}.sqlite`)),
);

/** Each test has a database of its own; closing the store drops it. */
storeContract(
  'PostgreSQL (tsvector, pgvector HNSW)',
  async () => {
    const database = await createTestDatabase('llmos_kb');
    const store = openPostgresKnowledgeStore(database.url);
    return {
      ...store,
      async close() {
        await store.close();
        await database.drop();
      },
    };
  },
  requirePostgres(),
);

void describe('knowledge store on PostgreSQL, shared by workers', requirePostgres(), () => {
  void it('two stores opening one empty database at once make its tables and a base once', async () => {
    const database = await createTestDatabase('llmos_kb');
    const stores = [openPostgresKnowledgeStore(database.url), openPostgresKnowledgeStore(database.url)];
    try {
      const made = await Promise.all(stores.map((store) => store.createBase('shared', embedding)));
      assert.deepEqual(made[0], made[1]);
      await stores[0]!.replaceDocument(
        'shared',
        { id: 'phone.md', name: 'phone.md', sha256: sha('p'), metadata: { product: 'phone' } },
        chunksOf(phone),
      );
      const hits = await stores[1]!.keywordSearch('shared', 'battery', { limit: 5 });
      assert.deepEqual(
        hits.map((hit) => hit.chunk.id),
        ['phone.md#1'],
      );
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await database.drop();
    }
  });
});

/** Runs `work` with a client of the database at `url`, closing it after. */
async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

void describe('knowledge store on PostgreSQL: pgvector', requirePostgres(), () => {
  void it('creates the extension in a new database and gives each base an HNSW index its search can use', async () => {
    const database = await createTestDatabase('llmos_kb');
    const store = openPostgresKnowledgeStore(database.url);
    try {
      await store.createBase('indexed', embedding);
      await store.replaceDocument(
        'indexed',
        { id: 'router.md', name: 'router.md', sha256: sha('a'), metadata: { product: 'router' } },
        chunksOf(router),
      );
      await withClient(database.url, async (client) => {
        const extension = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'vector'");
        assert.equal(extension.rowCount, 1);
        const [base] = (await client.query<{ id: number }>("SELECT id FROM kb_bases WHERE name = 'indexed'"))
          .rows;
        const index = `kb_chunks_embedding_${base!.id}`;
        // With scans and sorts priced out, the plan shows whether the query's shape (the cast,
        // the base's id) lets the planner use the partial expression index at all.
        await client.query('BEGIN');
        await client.query('SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off');
        for (const filter of [undefined, { product: ['router'] }]) {
          const { sql, values } = denseSearchSql({ id: base!.id, dimensions: 256 }, filter);
          const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, [
            JSON.stringify(hashedEmbedding('reset')),
            3,
            ...values,
          ]);
          assert.match(
            plan.rows.map((row) => row['QUERY PLAN']).join('\n'),
            new RegExp(`Index Scan using ${index}`),
          );
        }
        await client.query('COMMIT');
        await store.dropBase('indexed');
        const left = await client.query('SELECT 1 FROM pg_class WHERE relname = $1', [index]);
        assert.equal(left.rowCount, 0, 'the index goes with its base');
      });
    } finally {
      await store.close();
      await database.drop();
    }
  });

  void it('indexes more than 2,000 dimensions in half precision, and refuses more than 4,000', async () => {
    const database = await createTestDatabase('llmos_kb');
    const store = openPostgresKnowledgeStore(database.url);
    try {
      const large = { model: 'scripted:large', dimensions: 3072 };
      await store.createBase('large', large);
      await store.replaceDocument(
        'large',
        { id: 'phone.md', name: 'phone.md', sha256: sha('p'), metadata: {} },
        phone.map((text, index) => ({ index, start: 0, end: 1, text, vector: hashedEmbedding(text, 3072) })),
      );
      const [hit] = await store.denseSearch('large', hashedEmbedding(phone[1]!, 3072), { limit: 1 });
      assert.equal(hit?.chunk.id, 'phone.md#1');
      assert.ok(Math.abs(hit.score - 1) < 1e-3);
      await assert.rejects(
        store.createBase('huge', { model: 'scripted:huge', dimensions: 4097 }),
        /pgvector's HNSW index holds 1 to 4000 dimensions/,
      );
      assert.equal(await store.base('huge'), undefined);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});

void describe('openKnowledgeStore', () => {
  void it('opens the SQLite file unless a PostgreSQL URL is set, and names it without its password', async () => {
    const file = path.join(folder, 'configured.sqlite');
    const local = openKnowledgeStore({ LLMOS_KNOWLEDGE_FILE: file });
    assert.equal(local.where, file);
    await local.store.createBase('configured', embedding);
    await local.store.close();
    assert.ok(existsSync(file));
    // A pool connects on first use: naming an unreachable server opens nothing yet.
    const shared = openKnowledgeStore({
      LLMOS_KNOWLEDGE_FILE: file,
      LLMOS_KNOWLEDGE_POSTGRES_URL: 'postgres://kb:secret@db.invalid:5432/knowledge',
    });
    assert.equal(shared.where, 'postgres://kb@db.invalid:5432/knowledge');
    await shared.store.close();
  });
});

void describe('rank fusion and search text', () => {
  void it('adds 1/(k + rank) over the retrievers', () => {
    const fused = reciprocalRankFusion({ keyword: ['a', 'b', 'c'], dense: ['c', 'a'] }, 60);
    assert.deepEqual(
      fused.map((hit) => hit.id),
      ['a', 'c', 'b'],
    );
    assert.equal(fused[0]!.score, 1 / 61 + 1 / 62);
    assert.deepEqual(fused[1]!.ranks, { keyword: 3, dense: 1 });
    assert.deepEqual(
      reciprocalRankFusion({ keyword: ['x', 'y'] }, 1).map((hit) => hit.score),
      [1 / 2, 1 / 3],
    );
  });

  void it('MMR keeps the order at lambda 1 and skips a duplicate below it', () => {
    const candidates = [
      { id: 'a', relevance: 1, vector: [1, 0] },
      { id: 'a-copy', relevance: 0.95, vector: [1, 0] },
      { id: 'b', relevance: 0.8, vector: [0, 1] },
    ];
    assert.deepEqual(
      maximalMarginalRelevance(candidates, 2, 1).map((hit) => hit.id),
      ['a', 'a-copy'],
    );
    assert.deepEqual(
      maximalMarginalRelevance(candidates, 2, 0.7).map((hit) => hit.id),
      ['a', 'b'],
    );
  });

  void it('quotes every word of a query but the stop words, and reads chunk ids back', () => {
    assert.equal(ftsQuery('Reset "router" AND -NEAR(x)'), '"reset" OR "router" OR "near" OR "x"');
    assert.equal(ftsQuery('What does the orange light mean?'), '"does" OR "orange" OR "light" OR "mean"');
    assert.equal(ftsQuery('the and of'), '"the" OR "and" OR "of"', 'a query of stop words alone keeps them');
    assert.equal(ftsQuery(' ?! '), '');
    assert.equal(tsQuery("Reset 'router' & !x:* | <->"), "'reset' | 'router' | 'x'");
    assert.equal(tsQuery(' ?! '), '');
    assert.deepEqual(parseChunkId('guides/setup.md#12'), { documentId: 'guides/setup.md', index: 12 });
    assert.deepEqual(parseChunkId('a#b#3'), { documentId: 'a#b', index: 3 });
    assert.equal(parseChunkId('nothing'), undefined);
    assert.equal(parseChunkId('doc#'), undefined);
    assert.equal(parseChunkId('doc#1.5'), undefined);
  });
});
