import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  builtInModelCatalogFile,
  loadModelCatalog,
  modelCatalogFile,
} from '../../activities/llm/load-model-catalog.js';
import {
  ModelCatalogError,
  parseModelCatalog,
  priceOf,
  resolveChain,
  type ModelCatalog,
} from '../../common/model-catalog.js';
import { ModelRefSchema } from '../../common/model-ref.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const scriptsDirectory = path.join(repoRoot, 'examples/scripted');
/** Scripted catalog models whose scripts are yet to be written (see config/models.yaml). */
const price = (input: number, output: number, cached: number) => ({
  inputPerMillion: input,
  outputPerMillion: output,
  cachedInputPerMillion: cached,
});

/** A small valid catalog file, as parsed YAML; tests break one thing at a time. */
function validFile(): { models: Record<string, Record<string, unknown>>; aliases: Record<string, unknown> } {
  return {
    models: {
      'openai:gpt-4o-mini': {
        contextWindow: 128000,
        capabilities: ['tools', 'structured_output', 'vision'],
        prices: price(0.15, 0.6, 0.075),
        tier: 'small',
      },
      'openai:gpt-4o': {
        contextWindow: 128000,
        capabilities: ['tools'],
        prices: price(2.5, 10, 1.25),
        tier: 'medium',
      },
      'compatible:llama3.1': { contextWindow: 131072, capabilities: [] },
      'scripted:small': { contextWindow: 1000, capabilities: ['tools'], prices: price(1, 2, 0.5) },
    },
    aliases: {
      fast: ['openai:gpt-4o-mini', 'compatible:llama3.1'],
      smart: ['openai:gpt-4o'],
    },
  };
}

/** The error message of parsing `raw`, which must fail. */
function problemsOf(raw: unknown): string {
  const error = (() => {
    try {
      parseModelCatalog(raw, 'models.yaml');
    } catch (caught) {
      return caught;
    }
    return assert.fail('expected the catalog to be refused');
  })();
  assert.ok(error instanceof ModelCatalogError, `expected a ModelCatalogError, got ${String(error)}`);
  assert.match(error.message, /^models\.yaml: invalid model catalog:\n/);
  return error.message;
}

void describe('parseModelCatalog', () => {
  void it('accepts a valid catalog and fills free prices for local models', () => {
    const catalog = parseModelCatalog(validFile(), 'models.yaml');
    assert.deepEqual(catalog.models['openai:gpt-4o-mini'], {
      id: 'openai:gpt-4o-mini',
      contextWindow: 128000,
      capabilities: ['tools', 'structured_output', 'vision'],
      prices: price(0.15, 0.6, 0.075),
      tier: 'small',
    });
    assert.deepEqual(catalog.models['compatible:llama3.1']?.prices, price(0, 0, 0));
    assert.equal(catalog.models['compatible:llama3.1']?.tier, undefined);
    assert.deepEqual(catalog.aliases.fast, ['openai:gpt-4o-mini', 'compatible:llama3.1']);
  });

  void it('allows a catalog without aliases', () => {
    const { models } = validFile();
    assert.deepEqual(parseModelCatalog({ models }, 'x').aliases, {});
  });

  void it('names the model key path of a negative price', () => {
    const file = validFile();
    file.models['openai:gpt-4o']!.prices = price(-1, 10, 1.25);
    assert.match(
      problemsOf(file),
      /models\["openai:gpt-4o"\]\.prices\.inputPerMillion: a price cannot be negative/,
    );
  });

  void it('refuses an alias chain that names an unknown model, with its index', () => {
    const file = validFile();
    file.aliases.fast = ['openai:gpt-4o-mini', 'openai:gpt-99'];
    assert.match(problemsOf(file), /aliases\.fast\[1\]: unknown model "openai:gpt-99"/);
  });

  void it('refuses an alias chain that names another alias, saying so', () => {
    const file = validFile();
    file.aliases.fast = ['smart'];
    assert.match(problemsOf(file), /aliases\.fast\[0\]: unknown model "smart" \(it is an alias/);
  });

  void it('refuses a model listed twice in one chain', () => {
    const file = validFile();
    file.aliases.fast = ['openai:gpt-4o-mini', 'openai:gpt-4o', 'openai:gpt-4o-mini'];
    assert.match(
      problemsOf(file),
      /aliases\.fast\[2\]: "openai:gpt-4o-mini" is already earlier in the chain/,
    );
  });

  void it('refuses an empty chain', () => {
    const file = validFile();
    file.aliases.fast = [];
    assert.match(problemsOf(file), /aliases\.fast: a fallback chain needs at least one model/);
  });

  void it('refuses an alias that shadows a model id, and alias names with a colon', () => {
    const file = validFile();
    file.aliases['openai:gpt-4o'] = ['openai:gpt-4o-mini'];
    file.aliases['my:alias'] = ['openai:gpt-4o-mini'];
    const problems = problemsOf(file);
    assert.match(problems, /aliases\["openai:gpt-4o"\]: alias "openai:gpt-4o" shadows the model/);
    assert.match(problems, /aliases\["my:alias"\]: alias names are letters/);
  });

  void it('refuses a model id that is not provider:model', () => {
    const file = validFile();
    file.models['gpt-4o'] = { contextWindow: 1, capabilities: [], prices: price(1, 1, 1) };
    assert.match(problemsOf(file), /models\["gpt-4o"\]: model must be "provider:model"/);
  });

  void it('refuses a hosted model without prices, which would otherwise look free', () => {
    const file = validFile();
    delete file.models['openai:gpt-4o']!.prices;
    assert.match(problemsOf(file), /models\["openai:gpt-4o"\]\.prices: a openai model needs prices/);
  });

  void it('refuses unknown capabilities, duplicate capabilities, bad tiers and context windows', () => {
    const file = validFile();
    file.models['openai:gpt-4o']!.capabilities = ['tools', 'telepathy'];
    file.models['openai:gpt-4o-mini']!.capabilities = ['tools', 'tools'];
    file.models['openai:gpt-4o-mini']!.tier = 'huge';
    file.models['scripted:small']!.contextWindow = 0;
    const problems = problemsOf(file);
    assert.match(problems, /models\["openai:gpt-4o"\]\.capabilities\[1\]: /);
    assert.match(problems, /models\["openai:gpt-4o-mini"\]\.capabilities\[1\]: "tools" is listed twice/);
    assert.match(problems, /models\["openai:gpt-4o-mini"\]\.tier: /);
    assert.match(problems, /models\["scripted:small"\]\.contextWindow: must be a positive number of tokens/);
  });

  void it('refuses unknown keys, at the top and inside an entry (typos must not pass silently)', () => {
    const file = { ...validFile(), alias: {} };
    file.models['openai:gpt-4o']!.contextWindowTokens = 5;
    const problems = problemsOf(file);
    assert.match(problems, /\(top level\): .*alias/);
    assert.match(problems, /models\["openai:gpt-4o"\]: .*contextWindowTokens/);
  });

  void it('reports every problem, one per line', () => {
    const file = validFile();
    file.aliases.fast = ['nope:1'];
    file.models['openai:gpt-4o']!.prices = price(1, -1, 1);
    assert.equal(problemsOf(file).split('\n').length, 3);
  });
});

void describe('resolveChain', () => {
  const catalog = parseModelCatalog(validFile(), 'models.yaml');

  void it('gives an alias its chain, in order', () => {
    assert.deepEqual(resolveChain(catalog, 'fast'), ['openai:gpt-4o-mini', 'compatible:llama3.1']);
  });

  void it('gives a model reference itself, catalogued or not', () => {
    assert.deepEqual(resolveChain(catalog, 'openai:gpt-4o'), ['openai:gpt-4o']);
    assert.deepEqual(resolveChain(catalog, 'scripted:demo-agent'), ['scripted:demo-agent']);
  });

  void it('refuses anything else, listing the aliases', () => {
    assert.throws(
      () => resolveChain(catalog, 'fastest'),
      (error: unknown) =>
        error instanceof ModelCatalogError &&
        error.message.includes('"fastest"') &&
        error.message.includes('fast, smart'),
    );
    assert.throws(() => resolveChain(catalog, 'azure:gpt-4o'), /unknown model or alias "azure:gpt-4o"/);
    // Object.prototype keys are not aliases.
    assert.throws(() => resolveChain(catalog, 'constructor'), ModelCatalogError);
  });
});

void describe('priceOf', () => {
  const catalog = parseModelCatalog(validFile(), 'models.yaml');

  void it('gives the catalog price, including a priced scripted model', () => {
    assert.deepEqual(priceOf(catalog, 'openai:gpt-4o'), price(2.5, 10, 1.25));
    assert.deepEqual(priceOf(catalog, 'scripted:small'), price(1, 2, 0.5));
  });

  void it('prices a dated snapshot as its catalogued base model', () => {
    assert.deepEqual(priceOf(catalog, 'openai:gpt-4o-mini-2024-07-18'), price(0.15, 0.6, 0.075));
  });

  void it('keeps uncatalogued local models free and unknown hosted ones unknown', () => {
    assert.deepEqual(priceOf(catalog, 'scripted:demo-agent'), price(0, 0, 0));
    assert.deepEqual(priceOf(catalog, 'compatible:qwen3'), price(0, 0, 0));
    assert.equal(priceOf(catalog, 'openai:gpt-99'), undefined);
    assert.equal(priceOf(catalog, 'fast'), undefined);
  });
});

void describe('loadModelCatalog', () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'llmos-models-'));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  void it('reads LLMOS_MODELS_FILE when set, else the built-in file', () => {
    assert.equal(modelCatalogFile({ LLMOS_MODELS_FILE: '/etc/models.yaml' }), '/etc/models.yaml');
    assert.equal(modelCatalogFile({}), builtInModelCatalogFile);
    assert.equal(modelCatalogFile({ LLMOS_MODELS_FILE: '  ' }), builtInModelCatalogFile);
    assert.equal(builtInModelCatalogFile, path.join(repoRoot, 'config/models.yaml'));
  });

  void it('names the file in a schema error', async () => {
    const file = path.join(directory, 'bad.yaml');
    await writeFile(file, 'models:\n  openai:gpt-4o: { contextWindow: 1, capabilities: [] }\n');
    assert.throws(
      () => loadModelCatalog(file),
      (error: unknown) =>
        error instanceof ModelCatalogError &&
        error.message.startsWith(`${file}: invalid model catalog:`) &&
        error.message.includes('models["openai:gpt-4o"].prices'),
    );
  });

  void it('names the file and the line of bad YAML, including a model defined twice', async () => {
    const file = path.join(directory, 'twice.yaml');
    await writeFile(
      file,
      [
        'models:',
        '  compatible:llama3.1: { contextWindow: 1, capabilities: [] }',
        '  compatible:llama3.1: { contextWindow: 2, capabilities: [] }',
        '',
      ].join('\n'),
    );
    assert.throws(() => loadModelCatalog(file), {
      name: 'ModelCatalogError',
      message: new RegExp(`^${file}: not valid YAML at line 3`),
    });
  });

  void it('names a missing file', () => {
    const file = path.join(directory, 'missing.yaml');
    assert.throws(() => loadModelCatalog(file), {
      name: 'ModelCatalogError',
      message: new RegExp(`^${file}: cannot read the model catalog`),
    });
  });
});

void describe('the built-in catalog', () => {
  let catalog: ModelCatalog;
  before(() => {
    catalog = loadModelCatalog(builtInModelCatalogFile);
  });

  void it('has the usual aliases and scripted fakes with distinct, non-zero prices', () => {
    for (const alias of ['fast', 'smart', 'cheap']) assert.ok(resolveChain(catalog, alias).length > 0);
    const small = priceOf(catalog, 'scripted:small');
    const large = priceOf(catalog, 'scripted:large');
    assert.deepEqual(small, priceOf(catalog, 'openai:gpt-4o-mini'));
    assert.deepEqual(large, priceOf(catalog, 'openai:gpt-4o'));
    assert.ok(small!.inputPerMillion > 0 && large!.inputPerMillion > small!.inputPerMillion);
    assert.deepEqual(resolveChain(catalog, 'scripted-fast'), ['scripted:small', 'scripted:large']);
  });

  void it('names only scripts that exist', () => {
    for (const model of Object.values(catalog.models)) {
      const ref = ModelRefSchema.parse(model.id);
      if (ref.provider !== 'scripted') continue;
      assert.ok(existsSync(path.join(scriptsDirectory, `${ref.model}.json`)), `${model.id} has no script`);
    }
  });
});
