import { MockActivityEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createAnalysisActivities } from '../../activities/analysis/analysis-activities.js';
import { createBlobStore } from '../../activities/blobs/blob-store.js';
import { createCallChatModel } from '../../activities/llm/call-chat-model.js';
import { estimateRequestTokens } from '../../activities/llm/estimate-request-tokens.js';
import { createScriptedChatModel } from '../../activities/llm/scripted/scripted-chat-model.js';
import { loadPromptLibrary } from '../../activities/prompts/prompt-library.js';
import { projectRoot } from '../../client/project-paths.js';
import type { ChatRequest } from '../../common/chat.js';
import { openSqliteAuditLog } from '../../activities/audit/sqlite-audit-log.js';
import { GuardService } from '../../activities/guards/guard-service.js';
import { loadGuardConfig } from '../../activities/guards/load-guard-config.js';
import { openSqlitePiiVault } from '../../activities/guards/vault/sqlite-pii-vault.js';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';
import { contractsTestSpec } from '../helpers/analysis-spec.js';

const contract = path.join(projectRoot, 'test', 'fixtures', 'cuad');
const spec = contractsTestSpec;

const blobDirectory = mkdtempSync(path.join(tmpdir(), 'llmos-blobs-'));
after(() => rmSync(blobDirectory, { recursive: true, force: true }));

/** The built-in guard profiles, with a vault and an audit trail in a file of this test's own. */
const guardsFile = path.join(blobDirectory, 'audit.sqlite');
const vault = openSqlitePiiVault(guardsFile);
const audit = openSqliteAuditLog(guardsFile);
after(() => Promise.all([vault.close(), audit.close()]));
const guards = new GuardService(loadGuardConfig(), { vault: () => vault, audit: () => audit });

/** The activities on a scripted model; `sent` collects every request the model is sent. */
function activitiesWith(script: FakeLlmScript, sent: ChatRequest[] = []) {
  const model = createScriptedChatModel('analysis', script);
  const callChatModel = createCallChatModel(() => Promise.resolve(model), { priceOf: () => undefined });
  return createAnalysisActivities({
    blobs: createBlobStore(blobDirectory),
    prompts: loadPromptLibrary([path.join(projectRoot, 'prompts')]),
    callChatModel: (input) => {
      sent.push(input.request);
      return callChatModel(input);
    },
    guards,
  });
}

const environment = new MockActivityEnvironment();
const run = <P extends unknown[], R>(activity: (...args: P) => Promise<R>, ...args: P): Promise<R> =>
  environment.run<P, R, typeof activity>(activity, ...args);

void describe('document analysis activities', () => {
  void it('prepareDocument chunks a contract and returns references only, far smaller than the text', async () => {
    const { prepareDocument } = activitiesWith({});
    const blobs = createBlobStore(blobDirectory);
    const [name] = readdirSync(path.join(contract, 'txt')).sort();
    const file = path.join(contract, 'txt', name!);
    const prepared = await run(prepareDocument, { file, id: name!, maxTokens: 800, overlapTokens: 80 });

    assert.ok(prepared.chunks.length > 1, `${prepared.chunks.length} chunks`);
    const text = await blobs.get(prepared.text);
    assert.equal(text.length, prepared.characters);
    for (const chunk of prepared.chunks) {
      assert.equal(await blobs.get(chunk.blob), text.slice(chunk.start, chunk.end));
      assert.ok(chunk.tokens <= 800);
    }
    const payload = JSON.stringify(prepared).length;
    assert.ok(payload * 10 < text.length, `payload ${payload} bytes for ${text.length} characters of text`);
  });

  void it('prepareDocument names a file it cannot read', async () => {
    const { prepareDocument } = activitiesWith({});
    await assert.rejects(
      run(prepareDocument, {
        file: path.join(contract, 'missing.txt'),
        id: 'missing',
        maxTokens: 500,
        overlapTokens: 50,
      }),
      /missing\.txt/,
    );
  });

  void it('extractChunk keeps quotes found verbatim, with document offsets, and drops invented ones', async () => {
    const text =
      'This Agreement is governed by the laws of the State of New York.\n\nThe parties are Acme Inc. and Globex LLC.';
    const blob = await createBlobStore(blobDirectory).put(text);
    const { extractChunk } = activitiesWith({
      rules: [
        {
          match: { responseFormat: '^chunk_extraction$' },
          reply: {
            json: {
              fields: [
                // Whitespace differs from the chunk: still found.
                {
                  field: 'governing_law',
                  value: 'New York',
                  quote: 'governed by the  laws of the State of\nNew York',
                },
                {
                  field: 'parties',
                  value: ['Acme Inc.', 'Initech'],
                  quote: 'The parties are Acme Inc. and Initech.',
                },
              ],
            },
          },
        },
      ],
    });
    const output = await run(extractChunk, {
      spec,
      model: 'scripted:analysis',
      prompt: { id: 'analysis.extract', version: 'v1' },
      documentId: 'a.txt',
      chunk: { index: 2, start: 1_000, blob },
    });

    assert.ok(output.result.ok);
    assert.deepEqual(output.result.hallucinatedQuotes, ['The parties are Acme Inc. and Initech.']);
    assert.equal(output.result.fields.length, 1);
    const [law] = output.result.fields;
    assert.equal(law?.value, 'New York');
    assert.equal(law?.citation.document, 'a.txt');
    assert.equal(law?.citation.offset, 1_000 + text.indexOf('governed'));
    assert.equal(law?.citation.quote, 'governed by the laws of the State of New York');
    assert.ok(output.usage.inputTokens > 0);
  });

  void it("masks personal data in chunks, and verifies the model's masked quotes against the document", async () => {
    const text =
      'Notices go to legal@acme.example or +1 212 555 0143.\n\nThis Agreement is governed by the laws of New York.';
    const file = path.join(blobDirectory, 'notices.txt');
    writeFileSync(file, text);
    const guard = { vaultId: `vault-${crypto.randomUUID()}` };
    const sent: ChatRequest[] = [];
    const { prepareDocument, extractChunk } = activitiesWith(
      {
        rules: [
          {
            match: { responseFormat: '^chunk_extraction$' },
            reply: {
              json: {
                fields: [
                  { field: 'parties', value: ['<EMAIL_1>'], quote: 'Notices go to <EMAIL_1> or <PHONE_1>.' },
                  { field: 'governing_law', value: 'New York', quote: 'governed by the laws of New York' },
                ],
              },
            },
          },
        ],
      },
      sent,
    );
    const prepared = await run(prepareDocument, {
      file,
      id: 'notices.txt',
      maxTokens: 800,
      overlapTokens: 80,
      guard,
    });
    const [chunk] = prepared.chunks;
    assert.deepEqual(chunk?.guard, {
      stage: 'untrusted',
      verdict: 'mask',
      reasons: ['personal data: 1 EMAIL_ADDRESS, 1 PHONE_NUMBER'],
      maskedCounts: { EMAIL_ADDRESS: 1, PHONE_NUMBER: 1 },
      subject: 'notices.txt chunk 1',
    });
    assert.ok(chunk.masked, 'the masked text is stored beside the original');

    const output = await run(extractChunk, {
      spec,
      model: 'scripted:analysis',
      prompt: { id: 'analysis.extract', version: 'v1' },
      documentId: 'notices.txt',
      chunk: { index: 0, start: chunk.start, blob: chunk.blob, masked: chunk.masked },
      piiVault: guard.vaultId,
    });
    const prompt = JSON.stringify(sent[0]?.messages);
    assert.match(prompt, /Notices go to <EMAIL_1> or <PHONE_1>\./);
    assert.doesNotMatch(prompt, /legal@acme|555 0143/);
    assert.ok(output.result.ok);
    assert.deepEqual(output.result.hallucinatedQuotes, []);
    const [parties] = output.result.fields;
    // The citation points into the document; its quote keeps the placeholders.
    assert.equal(parties?.citation.offset, 0);
    assert.equal(parties?.citation.length, text.indexOf('\n'));
    assert.equal(parties?.citation.quote, 'Notices go to <EMAIL_1> or <PHONE_1>.');
    assert.deepEqual(parties?.value, ['<EMAIL_1>']);
  });

  void it('extractChunk returns schema problems for the repair loop, and shows them on the next attempt', async () => {
    const blob = await createBlobStore(blobDirectory).put('Governed by Delaware law.');
    const script: FakeLlmScript = {
      rules: [
        {
          match: {
            responseFormat: '^chunk_extraction$',
            lastUserMessage: 'does not match the required output',
          },
          reply: { json: { fields: [{ field: 'governing_law', value: 'Delaware', quote: 'Delaware law' }] } },
        },
        {
          match: { responseFormat: '^chunk_extraction$' },
          reply: { json: { fields: [{ field: 'term', value: 'x', quote: 'y' }] } },
        },
      ],
    };
    const { extractChunk } = activitiesWith(script);
    const request = {
      spec,
      model: 'scripted:analysis',
      prompt: { id: 'analysis.extract', version: 'v1' },
      documentId: 'b.txt',
      chunk: { index: 0, start: 0, blob },
    };
    const first = await run(extractChunk, request);
    assert.ok(!first.result.ok);
    assert.match(first.result.problems.join('\n'), /fields\.0/);

    const second = await run(extractChunk, {
      ...request,
      repairs: [{ output: first.output, problems: first.result.problems }],
    });
    assert.ok(second.result.ok);
    assert.equal(second.result.fields[0]?.citation.quote, 'Delaware law');
  });

  void it('estimateExtractChunk counts the very request extractChunk sends, repairs and output allowance included', async () => {
    const blob = await createBlobStore(blobDirectory).put('Governed by Delaware law. '.repeat(40));
    const sent: ChatRequest[] = [];
    const { extractChunk, estimateExtractChunk } = activitiesWith(
      { rules: [{ reply: { json: { fields: [] } } }] },
      sent,
    );
    const input = {
      spec,
      model: 'scripted:analysis',
      prompt: { id: 'analysis.extract', version: 'v1' },
      documentId: 'c.txt',
      chunk: { index: 0, start: 0, blob },
      repairs: [{ output: '{"fields": 3}', problems: ['fields: expected an array'] }],
      maxOutputTokens: 700,
    };
    const estimate = await run(estimateExtractChunk, input);
    assert.equal(sent.length, 0, 'an estimate calls no model');
    await run(extractChunk, input);
    assert.deepEqual(estimate, estimateRequestTokens(sent[0]!));
    assert.equal(estimate.outputTokens, 700);
    assert.ok(
      estimate.inputTokens > 200,
      `${estimate.inputTokens} tokens: the chunk, the template, the schema`,
    );
  });
});
