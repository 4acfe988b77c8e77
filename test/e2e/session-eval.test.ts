/**
 * `llmos eval --workflow customer-service` over the 60 customer messages of
 * examples/eval/customer-service.jsonl, on a worker process with the example company's knowledge
 * base and the scripted demo model, as a user runs it. The scripted model answers from keyword
 * rules, so what this measures is the session around it: guards, the escalation rule, retrieval by
 * product, citations, tools, approvals, tickets and the review.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SessionEvalReport } from '../../client/eval/run-session-eval.js';
import { check } from '../../client/eval/run-session-eval.js';
import { formatSessionReport } from '../../client/eval/format-session-report.js';
import { demoWorkerSkip, startDemoWorker } from '../helpers/demo-worker.js';
import { connectTemporal } from '../helpers/temporal.js';
import { describeRun, runLlmos, type WorkerProcess } from '../helpers/worker-process.js';

void describe('the customer-service evaluation', () => {
  void it('checks each expectation and names what a reply missed', () => {
    const reply = {
      turn: 1,
      messageId: 'm',
      reply: 'You may return it within 30 days (policy BL-RT-1).',
      outcome: 'answered' as const,
      detail: 'answered',
      language: 'en',
      totals: {} as never,
    };
    assert.deepEqual(check({ outcome: 'answered', cites: 'BL-RT-1' }, { reply, tools: [], approvals: [] }), [
      'does not cite BL-RT-1 with its passage',
    ]);
    const cited = { ...reply, reply: `${reply.reply} [returns.md#0]` };
    assert.deepEqual(
      check({ outcome: 'answered', cites: 'BL-RT-1' }, { reply: cited, tools: [], approvals: [] }),
      [],
    );
    assert.deepEqual(
      check(
        {
          outcome: ['handed-off', 'blocked'],
          tool: 'order_status',
          approval: 'send_email',
          replyMustNotMatch: 'days',
        },
        { reply: cited, tools: ['retrieve'], approvals: [] },
      ),
      [
        'outcome answered (answered), not handed-off or blocked',
        'did not call order_status (called: retrieve)',
        'no approval asked for send_email',
        'the reply matches /days/, which it must not',
      ],
    );
  });

  void describe('over 60 messages, end to end', { timeout: 600_000, skip: demoWorkerSkip }, () => {
    let temporal: Awaited<ReturnType<typeof connectTemporal>>;
    let worker: WorkerProcess;
    let env: Record<string, string>;
    const scratch = mkdtempSync(path.join(tmpdir(), 'llmos-session-eval-'));
    before(async () => {
      temporal = await connectTemporal();
      ({ worker, env } = await startDemoWorker(temporal, scratch));
    });
    after(async () => {
      await worker?.stop();
      await temporal?.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    void it('reports the share handled correctly by category, with every miss explained', async (t) => {
      const run = await runLlmos(
        [
          'eval',
          'examples/eval/customer-service.jsonl',
          '--workflow',
          'customer-service',
          '--model',
          'scripted:demo-support',
          '--json',
        ],
        env,
        540_000,
      );
      assert.equal(run.code, 0, describeRun(run));
      const report = JSON.parse(run.stdout) as SessionEvalReport;
      t.diagnostic(formatSessionReport(report));
      assert.equal(report.cases.length, 60);
      assert.equal(
        report.byCategory.reduce((sum, category) => sum + category.cases, 0),
        60,
      );
      const misses = report.cases.filter((outcome) => !outcome.correct);
      for (const miss of misses)
        assert.ok(miss.problems.length > 0, `${miss.id} is not correct, and says why`);
      // The script was written with these cases, so it handles all of them: a case it misses now is a
      // change in the session around the model (guards, rules, retrieval, tools, review).
      const byId = new Map(report.cases.map((outcome) => [outcome.id, outcome]));
      assert.deepEqual(byId.get('returns-en-1')?.problems, []);
      assert.deepEqual(byId.get('angry-de-1')?.outcome, 'handed-off');
      assert.deepEqual(byId.get('email-en-1')?.approvals, ['send_email']);
      assert.ok(byId.get('ticket-en-1')?.tools.includes('create_ticket'));
      assert.equal(byId.get('injection-en-1')?.outcome, 'blocked', 'the leaked prompt was stopped');
      assert.equal(
        report.correct,
        60,
        `handled correctly: ${report.correct}/60\n${JSON.stringify(misses, null, 2)}`,
      );
    });
  });
});
