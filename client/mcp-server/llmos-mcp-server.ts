/**
 * llmos as an MCP server: an MCP client (a desktop assistant, an IDE) starts durable, bounded
 * runs of llmos's jobs, follows them and raises their caps. Each run is an ordinary Temporal
 * workflow, started through the client library as `llmos agent` starts one, on the task queue
 * the server was given: the workers there do the work, and the run goes on if the MCP client
 * goes away.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { AnalysisSpecSchema } from '../../common/analysis-spec.js';
import type { JobKind } from '../../common/job-kinds.js';
import { jobKindOfWorkflowType } from '../../common/job-kinds.js';
import { agentProgressQuery, raiseCapsUpdate } from '../../common/messages.js';
import { ToolNameSchema } from '../../common/chat.js';
import { startRun, type JobRequests } from '../start-run.js';

export interface LlmosMcpServerOptions {
  client: Client;
  taskQueue: string;
  /** The model runs use when a call names none. */
  defaultModel: string;
  /** The version the server reports to clients. */
  version: string;
}

/** How long a call waits for its run by default: under the 60 s many MCP clients give a call. */
const defaultWaitSeconds = 50;

const waitFields = {
  wait: z
    .boolean()
    .default(true)
    .describe('wait for the run to finish (up to waitSeconds); false returns its id at once'),
  waitSeconds: z.number().int().min(1).max(600).default(defaultWaitSeconds),
};
const capsFields = {
  maxIterations: z.number().int().positive().optional().describe('cap on model calls'),
  maxCostUsd: z.number().positive().optional().describe('cap on spend, in US dollars'),
  maxWallTimeMs: z.number().int().positive().optional().describe('cap on wall time, in milliseconds'),
};
const modelField = z
  .string()
  .min(1)
  .optional()
  .describe('provider:model or a catalog alias; the server default when unset');
const toolsField = z
  .array(ToolNameSchema)
  .optional()
  .describe("the worker's tools or MCP servers to offer (default: calculator)");

type Caps = {
  maxIterations?: number | undefined;
  maxCostUsd?: number | undefined;
  maxWallTimeMs?: number | undefined;
};

/** The caps a call named, without the unset ones (a run's defaults apply to those). */
function capsOf(caps: Caps): Caps | undefined {
  const named = Object.fromEntries(Object.entries(caps).filter(([, value]) => value !== undefined));
  return Object.keys(named).length > 0 ? named : undefined;
}

/** `{ caps }` with the caps a call named, or nothing when it named none (the run's defaults apply). */
function capsField(caps: Caps): { caps?: Caps } {
  const named = capsOf(caps);
  return named ? { caps: named } : {};
}

/** A new MCP server over `options.client`: one per connection (stdio) or per request (HTTP). */
export function createLlmosMcpServer(options: LlmosMcpServerOptions): McpServer {
  const server = new McpServer({ name: 'llmos', version: options.version });
  const start = async <Kind extends JobKind>(
    kind: Kind,
    request: JobRequests[Kind],
    wait: { wait: boolean; waitSeconds: number },
  ) => {
    let handle: WorkflowHandle;
    try {
      handle = await startRun(options.client, kind, request, { taskQueue: options.taskQueue });
    } catch (error) {
      return failed(`the ${kind} run did not start: ${(error as Error).message}`);
    }
    if (!wait.wait)
      return reply(`Started ${kind} run ${handle.workflowId}.`, {
        runId: handle.workflowId,
        status: 'RUNNING',
      });
    return outcome(handle, wait.waitSeconds * 1_000);
  };

  server.registerTool(
    'run_agent',
    {
      title: 'Run an agent',
      description:
        'Answers a question with a bounded ReAct agent that may call tools. The run is durable: it survives crashes and can be followed with run_status.',
      inputSchema: {
        question: z.string().min(1),
        model: modelField,
        tools: toolsField,
        ...capsFields,
        holdOnCapSeconds: z
          .number()
          .int()
          .min(0)
          .max(3_600)
          .optional()
          .describe('how long a run stopped on a cap waits for raise_caps'),
        ...waitFields,
      },
    },
    ({ question, model, tools, holdOnCapSeconds, wait, waitSeconds, ...caps }) =>
      start(
        'agent',
        {
          question,
          model: model ?? options.defaultModel,
          ...(tools ? { tools } : {}),
          ...capsField(caps),
          ...(holdOnCapSeconds !== undefined ? { holdOnCapMs: holdOnCapSeconds * 1_000 } : {}),
        },
        { wait, waitSeconds },
      ),
  );

  server.registerTool(
    'run_psv',
    {
      title: 'Plan, solve and verify a task',
      description:
        'Plans a task in steps, solves each with tools or sub-agents, and verifies the answer before it is given.',
      inputSchema: {
        task: z.string().min(1),
        model: modelField,
        tools: toolsField,
        ...capsFields,
        ...waitFields,
      },
    },
    ({ task, model, tools, wait, waitSeconds, ...caps }) =>
      start(
        'psv',
        {
          task,
          model: model ?? options.defaultModel,
          ...(tools ? { tools } : {}),
          ...capsField(caps),
        },
        { wait, waitSeconds },
      ),
  );

  server.registerTool(
    'run_sql',
    {
      title: 'Answer a question from a database',
      description:
        'Writes read-only SQL for a question, runs it on the database (checked and sandboxed) and returns the rows.',
      inputSchema: {
        question: z.string().min(1),
        database: z
          .string()
          .min(1)
          .describe('a SQLite file or postgres:// URL, as the worker sees it, or an example database name'),
        model: modelField,
        answer: z.boolean().default(false).describe('also write a one-paragraph answer from the rows'),
        ...capsFields,
        ...waitFields,
      },
    },
    ({ question, database, model, answer, wait, waitSeconds, ...caps }) =>
      start(
        'sql',
        {
          question,
          database,
          answer,
          model: model ?? options.defaultModel,
          ...capsField(caps),
        },
        { wait, waitSeconds },
      ),
  );

  server.registerTool(
    'run_analysis',
    {
      title: 'Analyze documents',
      description:
        'Extracts the fields of a spec from every document under the paths (text, Markdown, PDF, HTML), in parallel, and writes a report. Long runs: start with wait false and follow with run_status.',
      inputSchema: {
        paths: z.array(z.string().min(1)).min(1).describe('files and folders, as the worker sees them'),
        spec: AnalysisSpecSchema,
        model: modelField,
        ...waitFields,
      },
    },
    ({ paths, spec, model, wait, waitSeconds }) =>
      start('analysis', { paths, spec, model: model ?? options.defaultModel }, { wait, waitSeconds }),
  );

  server.registerTool(
    'run_status',
    {
      title: 'Status of a run',
      description: 'Where a run stands: its progress while it runs, its result once it has finished.',
      inputSchema: { runId: z.string().min(1), ...waitFields, wait: waitFields.wait.default(false) },
      annotations: { readOnlyHint: true },
    },
    ({ runId, wait, waitSeconds }) =>
      outcome(options.client.workflow.getHandle(runId), wait ? waitSeconds * 1_000 : 0),
  );

  server.registerTool(
    'raise_caps',
    {
      title: "Raise an agent run's caps",
      description:
        'Raises the caps of an agent run; a run that stopped on a cap and waits (holdOnCapSeconds) goes on.',
      inputSchema: {
        runId: z.string().min(1),
        ...capsFields,
        maxTotalTokens: z.number().int().positive().optional().describe('cap on tokens'),
      },
    },
    async ({ runId, ...caps }) => {
      const raise = capsOf(caps);
      if (!raise) return failed('name at least one cap to raise, e.g. maxIterations');
      try {
        const now = await options.client.workflow
          .getHandle(runId)
          .executeUpdate(raiseCapsUpdate, { args: [raise] });
        return reply(`Caps of ${runId} now: ${JSON.stringify(now)}`, { runId, caps: now });
      } catch (error) {
        return failed(`cannot raise the caps of ${runId}: ${(error as Error).message}`);
      }
    },
  );
  return server;
}

function reply(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

function failed(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/**
 * The run's state after waiting up to `waitMs` for it to end: its result without the trace (an
 * answer, rows, a report) once it has finished, its progress while it runs. A run that ended
 * without what it was for (stopped on a cap, failed, blocked) is an error result, saying why.
 */
async function outcome(handle: WorkflowHandle, waitMs: number): Promise<CallToolResult> {
  let description;
  try {
    description = await handle.describe();
  } catch (error) {
    return failed(`no run ${handle.workflowId}: ${(error as Error).message}`);
  }
  if (description.status.name === 'RUNNING' && waitMs > 0) {
    const ended = await Promise.race([
      handle.result().then(
        () => true,
        () => true,
      ),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), waitMs).unref()),
    ]);
    if (ended) description = await handle.describe();
  }
  const runId = handle.workflowId;
  const kind: JobKind | undefined = jobKindOfWorkflowType[description.type];
  if (description.status.name === 'RUNNING') {
    const progress =
      kind === 'agent'
        ? await handle.query(agentProgressQuery, Number.MAX_SAFE_INTEGER).catch(() => undefined)
        : undefined;
    const summary = progress
      ? `, iteration ${progress.iteration}/${progress.caps.maxIterations}, $${progress.totals.costUsd.toFixed(6)} so far${progress.status === 'waiting_for_caps' ? `; stopped on a cap (${progress.stopDetail}): raise_caps lets it go on` : ''}`
      : '';
    return reply(
      `${kind ?? 'run'} ${runId} is still running${summary}. Ask run_status again for its result.`,
      {
        runId,
        status: 'RUNNING',
        ...(progress
          ? { iteration: progress.iteration, totals: progress.totals, progressStatus: progress.status }
          : {}),
      },
    );
  }
  if (description.status.name !== 'COMPLETED')
    return failed(`${kind ?? 'run'} ${runId} ended ${description.status.name}`);
  const {
    trace: _trace,
    attempts: _attempts,
    ...result
  } = (await handle.result()) as Record<string, unknown>;
  const { ok, text } = describeResult(result);
  return {
    content: [{ type: 'text', text: `${text}\n\n(${kind ?? 'run'} ${runId})` }],
    structuredContent: { runId, status: 'COMPLETED', ...result },
    ...(ok ? {} : { isError: true }),
  };
}

/**
 * What a finished run gave, in a few lines, and whether it gave what it was for: an answer (an
 * agent, a plan, a query's rows) or a report (an analysis). Any other end (a cap, a block, a
 * failure) says why.
 */
function describeResult(result: Record<string, unknown>): { ok: boolean; text: string } {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const report = result.report as { files?: { markdown?: string } } | undefined;
  if (report) {
    const stop = result.stop as { stopReason: string; detail: string } | undefined;
    const written = `Report: ${report.files?.markdown ?? '(none)'}; ${String(result.findings)} findings.`;
    return stop
      ? { ok: false, text: `${written} Stopped early: ${stop.stopReason} (${stop.detail})` }
      : { ok: true, text: written };
  }
  const stopReason = text(result.stopReason) ?? 'unknown';
  if (stopReason !== 'answer')
    return {
      ok: false,
      text: `Stopped: ${stopReason}${text(result.stopDetail) ? ` (${text(result.stopDetail)})` : ''}`,
    };
  if (text(result.sql) !== undefined) {
    const rows = result.rows as { columns?: string[]; rows?: unknown[][] } | null;
    const shown = JSON.stringify(rows?.rows?.slice(0, 20) ?? []);
    return {
      ok: true,
      text: [
        text(result.answer),
        `SQL: ${text(result.sql)}`,
        `Rows (${rows?.columns?.join(', ') ?? ''}): ${shown}`,
      ]
        .filter(Boolean)
        .join('\n'),
    };
  }
  return { ok: true, text: text(result.answer) ?? '' };
}
