import { WorkflowUpdateFailedError } from '@temporalio/client';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openSqliteAuditLog } from '../../activities/audit/sqlite-audit-log.js';
import { decideToolCall, listPendingApprovals } from '../../client/approvals.js';
import type { AgentRequest } from '../../common/agent.js';
import { approveToolCallUpdate, pendingApprovalsQuery } from '../../common/messages.js';
import type { reactAgentWorkflow } from '../../workflows/agent.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { eventually } from '../helpers/eventually.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { historyAfterQuestion, messagesOf, toolMessagesOf } from './agent-harness.js';

void describe('reactAgentWorkflow: tool calls that wait for a person', () => {
  let sink: SmtpSink;
  before(async () => {
    sink = await startSmtpSink();
  });
  after(() => sink?.close());
  const testbed = useAgentTestbed({ workerEnv: () => ({ LLMOS_SMTP_URL: sink.url }) });
  const start = (name: string, request: Partial<AgentRequest> = {}) =>
    testbed.temporal.env.client.workflow.start<typeof reactAgentWorkflow>('reactAgentWorkflow', {
      args: [
        {
          question: 'What is 6 * 7?',
          model: 'openai:gpt-4o-mini',
          approval: { tools: ['calculator'] },
          recordSearchAttributes: true,
          ...request,
        },
      ],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `approvals-${name}-${crypto.randomUUID()}`,
      workflowExecutionTimeout: '2 minutes',
    });
  const script = () =>
    testbed.fake.setScript({
      turns: [
        { toolCalls: [{ name: 'calculator', arguments: { expression: '6 * 7' } }] },
        { text: 'It is {{lastToolResult}}.' },
      ],
    });
  const waitingCall = async (handle: Awaited<ReturnType<typeof start>>) =>
    eventually('a call waits for approval', async () => (await handle.query(pendingApprovalsQuery))[0]);

  void it('holds the call until a person approves it, found by its id across runs, then runs it', async () => {
    script();
    const handle = await start('approve');
    const pending = await waitingCall(handle);
    assert.equal(pending.tool, 'calculator');
    assert.equal(pending.arguments, '{"expression":"6 * 7"}');
    assert.equal(testbed.fake.requests.length, 1, 'nothing runs while the call waits');

    // The inbox finds it through the run's search attribute; the decision finds its run the same way.
    const inbox = await eventually('the inbox lists the call', async () =>
      (await listPendingApprovals(testbed.temporal.env.client)).find(
        (candidate) => candidate.toolCallId === pending.toolCallId,
      ),
    );
    assert.equal(inbox.workflowId, handle.workflowId);
    const decided = await decideToolCall(testbed.temporal.env.client, 'approve', {
      toolCallId: pending.toolCallId,
      by: 'ann',
    });
    assert.equal(decided.workflowId, handle.workflowId);

    const result = await handle.result();
    assert.equal(result.stopReason, 'answer');
    assert.equal(result.answer, 'It is 42.');
    const tool = result.trace.find((step) => step.kind === 'tool');
    assert.equal(tool?.kind === 'tool' && tool.approval?.decision, 'approved');
    assert.equal(tool?.kind === 'tool' && tool.approval?.by, 'ann');
    assert.deepEqual(await handle.query(pendingApprovalsQuery), []);
    // The search attribute is emptied once nothing waits.
    const described = await handle.describe();
    assert.deepEqual(described.searchAttributes.LlmosPendingApprovals ?? [], []);

    // A decision on a call that no longer waits is refused, and nothing lands in history.
    await assert.rejects(
      decideToolCall(
        testbed.temporal.env.client,
        'approve',
        { toolCallId: pending.toolCallId },
        {
          workflowId: handle.workflowId,
        },
      ),
    );
  });

  void it('gives the model the reason of a decline instead of a result, and the run goes on', async () => {
    testbed.fake.setScript({
      turns: [
        { toolCalls: [{ name: 'calculator', arguments: { expression: '6 * 7' } }] },
        { text: 'I may not compute that.' },
      ],
    });
    const handle = await start('decline');
    const pending = await waitingCall(handle);
    await assert.rejects(
      handle.executeUpdate(approveToolCallUpdate, { args: [{ toolCallId: 'call_unknown' }] }),
      (error: Error) => error instanceof WorkflowUpdateFailedError,
    );
    await assert.rejects(
      decideToolCall(
        testbed.temporal.env.client,
        'decline',
        { toolCallId: pending.toolCallId },
        {
          workflowId: handle.workflowId,
        },
      ),
      /a decline needs a reason/,
    );
    await decideToolCall(
      testbed.temporal.env.client,
      'decline',
      { toolCallId: pending.toolCallId, by: 'bob', reason: 'not on a Sunday' },
      { workflowId: handle.workflowId },
    );
    const result = await handle.result();
    assert.equal(result.answer, 'I may not compute that.');
    assert.equal(
      toolMessagesOf(testbed.fake.requests[1])[0]?.content,
      'ToolCallDeclined: declined by bob: not on a Sunday',
    );
    const tool = result.trace.find((step) => step.kind === 'tool');
    assert.equal(tool?.kind === 'tool' && tool.ok, false);
    // The decision is in the audit trail the run's guards write to (the test worker's file).
    const audit = openSqliteAuditLog(process.env.LLMOS_AUDIT_FILE!);
    try {
      const records = await audit.read({ workflowId: handle.workflowId });
      assert.deepEqual(records.find((record) => record.kind === 'approval')?.detail, {
        toolCallId: pending.toolCallId,
        tool: 'calculator',
        decision: 'declined',
        by: 'bob',
        reason: 'not on a Sunday',
      });
    } finally {
      await audit.close();
    }
    assert.deepEqual(
      tool?.kind === 'tool' && tool.approval && [tool.approval.decision, tool.approval.reason],
      ['declined', 'not on a Sunday'],
    );
  });

  void it('declines a call nobody decides on in time', async () => {
    script();
    const result = await (
      await start('timeout', { approval: { tools: ['calculator'], timeoutMs: 1_000 } })
    ).result();
    assert.equal(result.stopReason, 'answer');
    const tool = result.trace.find((step) => step.kind === 'tool');
    assert.equal(tool?.kind === 'tool' && tool.approval?.decision, 'timed_out');
    assert.match(
      toolMessagesOf(testbed.fake.requests[1])[0]?.content ?? '',
      /^ToolCallDeclined: nobody approved/,
    );
  });

  /** The model calls send_email with `email`, then answers `answer`. */
  const scriptEmail = (email: { to: string; subject: string; body: string }, answer: string) =>
    testbed.fake.setScript({
      turns: [{ toolCalls: [{ name: 'send_email', arguments: email }] }, { text: answer }],
    });
  const approve = (workflowId: string, toolCallId: string) =>
    decideToolCall(testbed.temporal.env.client, 'approve', { toolCallId, by: 'ann' }, { workflowId });

  void it('holds send_email, a tool that always waits, and sends the e-mail once approved', async () => {
    scriptEmail(
      { to: 'jane@example.com', subject: 'Your refund', body: 'It is on its way.' },
      'Done: {{lastToolResult}}',
    );
    const handle = await start('email', { tools: ['send_email'], approval: { tools: [] } });
    const pending = await waitingCall(handle);
    assert.equal(pending.tool, 'send_email');
    assert.equal(sink.messages.length, 0, 'nothing is sent before a person approves');
    await approve(handle.workflowId, pending.toolCallId);
    const result = await handle.result();
    // The tool's result names the address, which the untrusted stage masks before the model reads it.
    assert.match(result.answer ?? '', /^Done: Sent to <EMAIL_1>: "Your refund"/);
    assert.equal(sink.messages.length, 1);
    assert.equal(sink.messages[0]?.subject, 'Your refund');
    assert.deepEqual(
      [sink.messages[0]?.to].flat().flatMap((to) => to?.value.map((address) => address.address)),
      ['jane@example.com'],
    );
  });

  void it('sends to the address behind the placeholder the model saw, which never leaves the vault', async () => {
    scriptEmail({ to: '<EMAIL_1>', subject: 'Your order', body: 'It has shipped.' }, 'Sent.');
    const handle = await start('placeholder', {
      question: 'Please e-mail mia.rossi@example.org that her order has shipped.',
      tools: ['send_email'],
      approval: { tools: [] },
    });
    const pending = await waitingCall(handle);
    // The model, the inbox and history hold the placeholder only.
    assert.equal(pending.arguments, '{"to":"<EMAIL_1>","subject":"Your order","body":"It has shipped."}');
    const asked =
      messagesOf(testbed.fake.requests[0]).find((message) => message.role === 'user')?.content ?? '';
    assert.ok(!asked.includes('mia.rossi'), asked);
    const before = sink.messages.length;
    await approve(handle.workflowId, pending.toolCallId);
    assert.equal((await handle.result()).answer, 'Sent.');
    const [sent] = sink.messages.slice(before);
    assert.deepEqual(
      [sent?.to].flat().flatMap((to) => to?.value.map((address) => address.address)),
      ['mia.rossi@example.org'],
    );
    // Past the run's input and the guard step that masked it, the address is nowhere in history.
    const history = await historyAfterQuestion(handle);
    assert.ok(history.includes('<EMAIL_1>'), 'payloads are read as text');
    assert.ok(!history.includes('mia.rossi'), history);
  });

  void it('runs the calls of tools nobody named at once', async () => {
    script();
    const result = await (await start('none', { approval: { tools: [] } })).result();
    assert.equal(result.answer, 'It is 42.');
    const tool = result.trace.find((step) => step.kind === 'tool');
    assert.equal(tool?.kind === 'tool' && tool.approval, undefined);
  });
});
