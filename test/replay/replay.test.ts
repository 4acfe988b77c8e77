/**
 * Replays committed workflow histories against today's workflow code, with no server. A change to
 * workflows/ that would break runs already in flight (different activities, a different order,
 * a timer more or less) fails here. The histories come from scripts/record-history.ts; its header
 * says when and how to re-record them.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { installRuntime } from '../../workers/install-runtime.js';
import { getWorkflowBundle } from '../helpers/workflow-bundle.js';

const historiesDirectory = path.join(path.dirname(fileURLToPath(import.meta.url)), 'histories');

interface JsonEvent {
  eventType: string;
  workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } };
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
  [attributes: string]: unknown;
}
interface JsonHistory {
  events: JsonEvent[];
}

/** A model call against a shared budget: reserved, made, settled. */
const budgetedModelCall = ['reserveModelCall', 'callChatModel', 'settleModelCall'];
const budgetedStructuredCall = ['reserveModelCall', 'generateStructured', 'settleModelCall'];

const psvFlatReplan = {
  workflowType: 'planSolveVerifyWorkflow',
  activities: [
    'describeTools',
    'loadPrompts',
    'resolveModelChain',
    'generateStructured',
    'generateStructured',
    'generateStructured',
  ],
  eventTypes: [
    'EVENT_TYPE_MARKER_RECORDED',
    'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
    'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED',
  ],
};

/** A customer-service turn's activities around its child agent run. */
const turn = ['detectLanguage', 'applyGuards', 'assessMessage', 'reviewReply'];

/** What each committed history must contain, so a re-recording cannot quietly lose its point. */
const expectedContents: Record<
  string,
  {
    workflowType?: string;
    /** The id it ran under, when not `replay-<name>` (a child's, a ledger's). */
    workflowId?: string;
    /** A workflow that lives on (a budget ledger): its history so far, between workflow tasks. */
    running?: boolean;
    activities: string[];
    eventTypes: string[];
  }
> = {
  'tool-answer': {
    // Two calculator calls in parallel, then an unknown tool (no activity) beside a third one.
    activities: [
      'describeTools',
      'loadPrompts',
      'callChatModel',
      'runTool',
      'runTool',
      'callChatModel',
      'runTool',
      'callChatModel',
    ],
    eventTypes: [],
  },
  'cap-raise': {
    activities: ['describeTools', 'loadPrompts', 'callChatModel', 'runTool', 'callChatModel'],
    eventTypes: [
      'EVENT_TYPE_TIMER_STARTED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED',
    ],
  },
  'long-run-first': {
    // Two steps, then the trace stored (a local activity) and the run continued as new.
    activities: ['describeTools', 'loadPrompts', 'resolveModelChain', 'callChatModel', 'callChatModel'],
    eventTypes: ['EVENT_TYPE_MARKER_RECORDED', 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW'],
  },
  'long-run': {
    // The second execution: no tools described, no prompt loaded, no chain resolved again.
    activities: ['callChatModel', 'callChatModel'],
    eventTypes: [],
  },
  'model-error': {
    activities: ['describeTools', 'loadPrompts', 'callChatModel', 'runTool', 'callChatModel'],
    eventTypes: ['EVENT_TYPE_ACTIVITY_TASK_FAILED'],
  },
  'psv-replan': {
    workflowType: 'planSolveVerifyWorkflow',
    // Plan 1 fails its check; plan 2 runs a tool step, a child ReAct run, and a judge.
    activities: [
      'describeTools',
      'loadPrompts',
      'generateStructured',
      'runTool',
      'generateStructured',
      'runTool',
      'generateStructured',
    ],
    eventTypes: [
      'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
      'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED',
    ],
  },
  // psv-replan with flat steps: the calculator steps and the stored trace are local activities.
  'psv-flat-replan': psvFlatReplan,
  // psv-flat-replan, and the attempts stored at the end (one more local activity marker).
  'psv-attempts-stored': psvFlatReplan,
  'sql-answer': {
    workflowType: 'nl2sqlWorkflow',
    // The schema linked and the prompt prepared, one generated query checked by the guard and run.
    activities: [
      'prepareSqlPrompt',
      'loadPrompts',
      'resolveModelChain',
      'generateStructured',
      'checkSql',
      'executeSql',
    ],
    eventTypes: ['EVENT_TYPE_MARKER_RECORDED', 'EVENT_TYPE_TIMER_STARTED'],
  },
  'agent-guards': {
    // The question judged and masked, a pure calculation (not judged), the answer judged.
    activities: [
      'applyGuards',
      'describeTools',
      'loadPrompts',
      'resolveModelChain',
      'callChatModel',
      'callChatModel',
      'applyGuards',
    ],
    eventTypes: ['EVENT_TYPE_MARKER_RECORDED'],
  },
  'sql-guards': {
    workflowType: 'nl2sqlWorkflow',
    // The question judged, the query run with its literal restored, the rows and the answer judged.
    activities: [
      'applyGuards',
      'prepareSqlPrompt',
      'loadPrompts',
      'resolveModelChain',
      'generateStructured',
      'checkSql',
      'executeSql',
      'applyGuards',
      'callChatModel',
      'applyGuards',
    ],
    eventTypes: ['EVENT_TYPE_MARKER_RECORDED'],
  },
  'self-consistency': {
    workflowType: 'selfConsistencyWorkflow',
    // Three samples, each a child agent run; the vote is the workflow's own.
    activities: [],
    eventTypes: [
      'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
      'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED',
    ],
  },
  analysis: {
    workflowType: 'analyzeCorpusWorkflow',
    // One document, as a child run (analysis-document), then the report.
    activities: ['listAnalysisDocuments', 'resolveModelChain', 'writeAnalysisReport'],
    eventTypes: [
      'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
      'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED',
    ],
  },
  knowledge: {
    workflowType: 'knowledgeIngestWorkflow',
    // The base opened (created, its vector length probed), the folder listed, two documents at once.
    activities: ['openKnowledgeBase', 'listKnowledgeSources', 'addKnowledgeDocument', 'addKnowledgeDocument'],
    eventTypes: ['EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'],
  },
  'analysis-document': {
    workflowType: 'analyzeDocumentWorkflow',
    workflowId: 'replay-analysis/document-1',
    // The document chunked into the blob store, each chunk's fields extracted, the result stored.
    activities: [
      'prepareDocument',
      'extractChunk',
      'extractChunk',
      'extractChunk',
      'extractChunk',
      'storeDocumentResult',
    ],
    eventTypes: [],
  },
  'agent-fallback-budget': {
    // Alias `fast` resolved once; each call reserved and settled against the shared budget; the
    // first model's 401 moves the run to the next one, which makes the same call again.
    activities: [
      'describeTools',
      'loadPrompts',
      'resolveModelChain',
      ...budgetedModelCall,
      ...budgetedModelCall,
      'runTool',
      ...budgetedModelCall,
    ],
    eventTypes: ['EVENT_TYPE_ACTIVITY_TASK_FAILED'],
  },
  'agent-budget': {
    // Each model call reserved and settled against the shared budget.
    activities: [
      'describeTools',
      'loadPrompts',
      'resolveModelChain',
      ...budgetedModelCall,
      ...budgetedModelCall,
    ],
    eventTypes: ['EVENT_TYPE_MARKER_RECORDED'],
  },
  'customer-service': {
    workflowType: 'customerServiceWorkflow',
    // The worker's configuration, then each message: its language, its guards, its assessment, a
    // child agent run and the review of its reply.
    activities: ['serviceConfig', ...turn, ...turn],
    eventTypes: [
      'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED',
      'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
      'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED',
    ],
  },
  'customer-service-memory-first': {
    workflowType: 'customerServiceWorkflow',
    workflowId: 'replay-customer-service-memory',
    // Two turns (three child runs with the summary), then continued as new with the memory.
    activities: [...turn, ...turn],
    eventTypes: [
      'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    ],
  },
  'customer-service-memory': {
    workflowType: 'customerServiceWorkflow',
    // The second execution: no configuration read again, the third turn, the close.
    activities: turn,
    eventTypes: ['EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED', 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED'],
  },
  'customer-service-stream-first': {
    workflowType: 'customerServiceWorkflow',
    workflowId: 'replay-customer-service-stream',
    // Two turns whose drafts came in as signals while a reader polled by update; then continued
    // as new with the stream's state.
    activities: [...turn, ...turn],
    eventTypes: [
      'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    ],
  },
  'customer-service-stream': {
    workflowType: 'customerServiceWorkflow',
    // The second execution: the reader carried on, the third turn streamed, the close.
    activities: turn,
    eventTypes: [
      'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
    ],
  },
  'budget-ledger': {
    workflowType: 'budgetLedgerWorkflow',
    workflowId: 'budget-ledger:replay:ledger',
    running: true,
    // agent-budget's ledger: its reservations and settlements are updates; it has no activities.
    activities: [],
    eventTypes: [
      'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED',
    ],
  },
  'psv-fallback-budget': {
    workflowType: 'planSolveVerifyWorkflow',
    // The planner falls back after a 401; the child ReAct run (its own history) continues on the
    // backup; a judge verifies. Every model call is reserved and settled.
    activities: [
      'describeTools',
      'loadPrompts',
      'resolveModelChain',
      ...budgetedStructuredCall,
      ...budgetedStructuredCall,
      ...budgetedStructuredCall,
    ],
    eventTypes: ['EVENT_TYPE_ACTIVITY_TASK_FAILED', 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED'],
  },
};

async function loadHistory(name: string): Promise<JsonHistory> {
  return JSON.parse(await readFile(path.join(historiesDirectory, `${name}.json`), 'utf8')) as JsonHistory;
}

async function replay(name: string, history: JsonHistory): Promise<void> {
  await Worker.runReplayHistory(
    { workflowBundle: await getWorkflowBundle(), replayName: name },
    historyFromJSON(history),
    expectedContents[name]?.workflowId ?? `replay-${name}`,
  );
}

void describe('replay of committed histories', { timeout: 180_000 }, () => {
  installRuntime('ERROR');

  void it('has every expected history, and nothing unexpected', async () => {
    const files = (await readdir(historiesDirectory)).filter((file) => file.endsWith('.json')).sort();
    assert.deepEqual(
      files,
      Object.keys(expectedContents)
        .map((name) => `${name}.json`)
        .sort(),
    );
  });

  for (const [name, expected] of Object.entries(expectedContents)) {
    void it(`replays ${name} against today's workflow code`, async () => {
      const history = await loadHistory(name);
      const { events } = history;
      assert.equal(
        events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name,
        expected.workflowType ?? 'reactAgentWorkflow',
      );
      if (expected.running) {
        // Everything up to now, with no workflow task in flight at the end.
        const tasks = events.filter((event) => event.eventType.startsWith('EVENT_TYPE_WORKFLOW_TASK_'));
        assert.equal(tasks.at(-1)?.eventType, 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED');
      } else {
        // A whole execution, not a prefix: it completed, or continued as new.
        assert.ok(
          [
            'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
            'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
          ].includes(events.at(-1)?.eventType ?? ''),
          `a whole execution, not a prefix: it ends with ${events.at(-1)?.eventType}`,
        );
      }
      assert.deepEqual(
        events.flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []),
        expected.activities,
      );
      for (const type of expected.eventTypes)
        assert.ok(
          events.some((event) => event.eventType === type),
          `${name} has no ${type}`,
        );

      await replay(name, history);
    });
  }

  void it('rejects a history the code did not make (the replay is not a no-op)', async () => {
    // As if the code had scheduled its first activity differently: what reordering activities does.
    const history = await loadHistory('tool-answer');
    const first = history.events.find((event) => event.activityTaskScheduledEventAttributes)!;
    assert.equal(first.activityTaskScheduledEventAttributes!.activityType!.name, 'describeTools');
    first.activityTaskScheduledEventAttributes!.activityType!.name = 'callChatModel';
    await assert.rejects(replay('tool-answer-tampered', history), DeterminismViolationError);
  });
});
