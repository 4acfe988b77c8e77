import { MockActivityEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createBlobStore } from '../../activities/blobs/blob-store.js';
import { createReduceActivities } from '../../activities/analysis/reduce-activities.js';
import { createCallChatModel } from '../../activities/llm/call-chat-model.js';
import { estimateRequestTokens } from '../../activities/llm/estimate-request-tokens.js';
import { createScriptedChatModel } from '../../activities/llm/scripted/scripted-chat-model.js';
import { loadPromptLibrary } from '../../activities/prompts/prompt-library.js';
import { projectRoot } from '../../client/project-paths.js';
import type { DocumentResult } from '../../common/analysis-report.js';
import type { ChatRequest } from '../../common/chat.js';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';
import { contractsTestSpec as spec } from '../helpers/analysis-spec.js';

const blobDirectory = mkdtempSync(path.join(tmpdir(), 'llmos-reduce-'));
after(() => rmSync(blobDirectory, { recursive: true, force: true }));
const blobs = createBlobStore(blobDirectory);
const environment = new MockActivityEnvironment();
const run = <P extends unknown[], R>(activity: (...args: P) => Promise<R>, ...args: P): Promise<R> =>
  environment.run<P, R, typeof activity>(activity, ...args);

/** The activities on a scripted model that answers `json`; `sent` collects every request it is sent. */
function activitiesAnswering(json: unknown, sent: ChatRequest[] = []) {
  const script: FakeLlmScript = { rules: [{ reply: { json: json as never } }] };
  const model = createScriptedChatModel('reduce', script);
  const callChatModel = createCallChatModel(() => Promise.resolve(model), { priceOf: () => undefined });
  return createReduceActivities({
    blobs,
    prompts: loadPromptLibrary([path.join(projectRoot, 'prompts')]),
    callChatModel: (input) => {
      sent.push(input.request);
      return callChatModel(input);
    },
  });
}

const text = 'This Agreement is governed by the laws of the State of Nevada. Liability is unlimited.';
const citation = { document: 'a.txt', offset: 30, length: 32, quote: 'the laws of the State of Nevada' };
const stored = async () => {
  const result: DocumentResult = {
    id: 'a.txt',
    name: 'a.txt',
    status: 'analyzed',
    chunks: 1,
    chunksAnalyzed: 1,
    fields: { governing_law: { value: 'Nevada', citations: [citation] } },
  };
  return { id: 'a.txt', result: await blobs.put(JSON.stringify(result)), text: await blobs.put(text) };
};
const step = { spec, model: 'scripted:reduce', temperature: 0 };

void describe('reduce activities', () => {
  void it('identifyFindings keeps quotes found in their document and drops the rest, and findings left bare', async () => {
    const { identifyFindings } = activitiesAnswering({
      findings: [
        {
          kind: 'risks',
          title: 'Unlimited liability',
          detail: 'No cap.',
          severity: 'high',
          quotes: [
            { document: 'a.txt', quote: 'Liability  is unlimited.' },
            { document: 'a.txt', quote: 'Liability is capped at $1.' },
            { document: 'other.txt', quote: 'governed by' },
          ],
        },
        {
          kind: 'risks',
          title: 'Invented',
          detail: 'x',
          severity: 'low',
          quotes: [{ document: 'a.txt', quote: 'nowhere' }],
        },
      ],
    });
    const output = await run(identifyFindings, {
      ...step,
      prompt: { id: 'analysis.identify', version: 'v1' },
      documents: [await stored()],
    });
    assert.ok(output.result.ok);
    assert.equal(output.result.findings.length, 1);
    assert.deepEqual(output.result.findings[0]?.citations, [
      { document: 'a.txt', offset: 63, length: 23, quote: 'Liability is unlimited.' },
    ]);
    assert.equal(output.result.hallucinatedQuotes, 3, 'not in the text, and a document not in the batch');
    assert.equal(output.result.unsupported, 1);
  });

  void it('identifyFindings asks for a repair when a finding is of a kind the spec does not name', async () => {
    const { identifyFindings } = activitiesAnswering({
      findings: [
        {
          kind: 'opportunities',
          title: 't',
          detail: 'd',
          severity: 'low',
          quotes: [{ document: 'a.txt', quote: 'x' }],
        },
      ],
    });
    const output = await run(identifyFindings, {
      ...step,
      prompt: { id: 'analysis.identify', version: 'v1' },
      documents: [await stored()],
    });
    assert.deepEqual(output.result, {
      ok: false,
      problems: ['findings[0].kind "opportunities" is not one of: risks'],
    });
  });

  void it('reconcileField returns a zero-based choice among the candidates, and refuses one out of range', async () => {
    const value = {
      value: 'Nevada',
      citations: [citation],
      conflict: {
        resolvedBy: 'first_in_document' as const,
        alternatives: [{ value: 'Delaware', citations: [] }],
      },
    };
    const input = {
      ...step,
      prompt: { id: 'analysis.reconcile', version: 'v1' },
      documentId: 'a.txt',
      field: 'governing_law',
      value,
    };
    const chosen = await run(activitiesAnswering({ choice: 2, reason: 'amended' }).reconcileField, input);
    assert.deepEqual(chosen.result, { ok: true, choice: 1, reason: 'amended' });
    const refused = await run(activitiesAnswering({ choice: 3, reason: 'x' }).reconcileField, input);
    assert.deepEqual(refused.result, { ok: false, problems: ['choice must be between 1 and 2'] });
  });

  void it('writeSections wants exactly the sections the spec names', async () => {
    const documents = [{ id: 'a.txt', status: 'analyzed' as const, result: (await stored()).result }];
    const input = {
      ...step,
      prompt: { id: 'analysis.output', version: 'v1' },
      documents,
      findings: [],
      notAnalyzed: 0,
    };
    const written = await run(
      activitiesAnswering({
        sections: [{ name: 'executive_summary', markdown: 'One contract, Nevada law.' }],
      }).writeSections,
      input,
    );
    assert.deepEqual(written.result, {
      ok: true,
      sections: { executive_summary: 'One contract, Nevada law.' },
    });
    const wrong = await run(
      activitiesAnswering({ sections: [{ name: 'summary', markdown: 'x' }] }).writeSections,
      input,
    );
    assert.deepEqual(wrong.result, {
      ok: false,
      problems: [
        'section "executive_summary" is missing',
        'section "summary" is not asked for or is given twice',
      ],
    });
  });

  void it('estimateReduceStep counts the very request each step sends', async () => {
    const document = await stored();
    const repairs = [{ output: '{}', problems: ['missing'] }];
    const steps = [
      {
        kind: 'identify' as const,
        input: {
          ...step,
          prompt: { id: 'analysis.identify', version: 'v1' },
          documents: [document],
          repairs,
        },
      },
      {
        kind: 'output' as const,
        input: {
          ...step,
          prompt: { id: 'analysis.output', version: 'v1' },
          documents: [{ id: 'a.txt', status: 'analyzed' as const, result: document.result }],
          findings: [],
          notAnalyzed: 0,
          maxOutputTokens: 900,
        },
      },
      {
        kind: 'reconcile' as const,
        input: {
          ...step,
          prompt: { id: 'analysis.reconcile', version: 'v1' },
          documentId: 'a.txt',
          field: 'governing_law',
          value: { value: 'Nevada', citations: [citation] },
        },
      },
    ];
    for (const reduceStep of steps) {
      const sent: ChatRequest[] = [];
      const activities = activitiesAnswering({}, sent);
      const estimate = await run(activities.estimateReduceStep, reduceStep);
      assert.equal(sent.length, 0, 'an estimate calls no model');
      if (reduceStep.kind === 'identify') await run(activities.identifyFindings, reduceStep.input);
      else if (reduceStep.kind === 'output') await run(activities.writeSections, reduceStep.input);
      else await run(activities.reconcileField, reduceStep.input);
      assert.deepEqual(estimate, estimateRequestTokens(sent[0]!), reduceStep.kind);
    }
  });
});
