import { MockActivityEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openPostgresTicketStore } from '../../activities/tickets/postgres-ticket-store.js';
import { openSqliteTicketStore } from '../../activities/tickets/sqlite-ticket-store.js';
import type { TicketStore } from '../../activities/tickets/ticket-store.js';
import { createTicketTool } from '../../activities/tools/create-ticket.js';
import { createRunTool, type RunToolInput, type RunToolOutput } from '../../activities/tools/run-tool.js';
import { createToolRegistry } from '../../activities/tools/tool-registry.js';
import { NewTicketSchema } from '../../common/tickets.js';
import { createTestDatabase, requirePostgres } from '../helpers/postgres.js';

const folder = mkdtempSync(path.join(tmpdir(), 'llmos-tickets-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** A store of each kind, and how to be rid of it. */
const stores: [
  string,
  () => Promise<{ store: TicketStore; drop?: () => Promise<void> }>,
  { skip: string | false },
][] = [
  [
    'SQLite',
    () => Promise.resolve({ store: openSqliteTicketStore(path.join(folder, 'tickets.sqlite')) }),
    { skip: false },
  ],
  [
    'PostgreSQL',
    async () => {
      const database = await createTestDatabase('llmos_tickets');
      return { store: openPostgresTicketStore(database.url), drop: database.drop };
    },
    requirePostgres(),
  ],
];

for (const [name, open, options] of stores)
  void describe(`the ${name} ticket store`, options, () => {
    void it('opens a ticket once per idempotency key, numbered from T-1001, and reads it back', async () => {
      const { store, drop } = await open();
      try {
        const key = `run-${Math.random()}/7`;
        const ticket = NewTicketSchema.parse({
          subject: 'Router keeps rebooting',
          description: 'The customer restarted it twice.',
          priority: 'high',
          customer: 'jane@example.com',
        });
        const first = await store.open(ticket, { idempotencyKey: key, workflowId: 'run' });
        assert.equal(first.created, true);
        assert.match(first.ticket.id, /^T-\d{4,}$/);
        assert.ok(Number(first.ticket.id.slice(2)) >= 1001);
        assert.deepEqual(
          [first.ticket.subject, first.ticket.priority, first.ticket.customer, first.ticket.status],
          ['Router keeps rebooting', 'high', 'jane@example.com', 'open'],
        );

        // The same key again (a retried attempt): the same ticket, none opened.
        const again = await store.open(
          { ...ticket, subject: 'Something else' },
          { idempotencyKey: key, workflowId: 'run' },
        );
        assert.equal(again.created, false);
        assert.deepEqual(again.ticket, first.ticket);
        // Two racing attempts with one key still open one ticket.
        const racing = `${key}-race`;
        const raced = await Promise.all(
          [1, 2, 3].map(() => store.open(ticket, { idempotencyKey: racing, workflowId: 'run' })),
        );
        assert.equal(raced.filter((outcome) => outcome.created).length, 1);
        assert.equal(new Set(raced.map((outcome) => outcome.ticket.id)).size, 1);

        const other = await store.open(
          NewTicketSchema.parse({ subject: 'Invoice question', description: 'Due date?' }),
          {
            idempotencyKey: `${key}-other`,
            workflowId: 'run',
          },
        );
        assert.equal(other.ticket.priority, 'normal');
        assert.equal(other.ticket.customer, undefined);
        assert.deepEqual(await store.get(first.ticket.id), first.ticket);
        assert.equal(await store.get('T-0'), undefined);
        assert.equal(await store.get('nonsense'), undefined);
        const listed = await store.list({ status: 'open', limit: 500 });
        const ids = listed.map((listedTicket) => listedTicket.id);
        assert.ok(ids.indexOf(other.ticket.id) < ids.indexOf(first.ticket.id), 'newest first');
      } finally {
        await store.close();
        await drop?.();
      }
    });
  });

void describe('the create_ticket tool', () => {
  void it('opens one ticket however often its call is retried, and says so', async () => {
    const store = openSqliteTicketStore(path.join(folder, 'tool.sqlite'));
    const tool = createTicketTool(store);
    const context = {
      signal: new AbortController().signal,
      idempotencyKey: 'agent-1/5',
      workflowId: 'agent-1',
      boundary: '0123456789ab',
      spend: () => {},
    };
    const input = tool.inputSchema.parse({
      subject: 'No internet',
      description: 'Steady orange light.',
      priority: 'urgent',
    });
    const first = await tool.execute(input, context);
    assert.match(first, /^Opened ticket T-1001 \(urgent priority\): No internet$/);
    assert.equal(
      await tool.execute(input, context),
      'Already opened ticket T-1001 (urgent priority): No internet',
    );
    assert.equal((await store.list()).length, 1);
    assert.equal((await store.get('T-1001'))?.workflowId, 'agent-1');
    assert.equal(tool.inputSchema.safeParse({ subject: 'x', description: '' }).success, false);
    await store.close();
  });
});

void describe('create_ticket through runTool, retried', () => {
  void it('opens one ticket when the attempt that stored it failed before it could report', async () => {
    const store = openSqliteTicketStore(path.join(folder, 'retried.sqlite'));
    // The first attempt stores the ticket and then dies, as a worker killed at that moment would.
    let attempts = 0;
    const lossy: TicketStore = {
      ...store,
      open: async (ticket, origin) => {
        const opened = await store.open(ticket, origin);
        attempts += 1;
        if (attempts === 1) throw new Error('worker lost before the result reached Temporal');
        return opened;
      },
    };
    const runTool = createRunTool(createToolRegistry([createTicketTool(lossy)]));
    const input = {
      name: 'create_ticket',
      arguments: JSON.stringify({ subject: 'Refund not received', description: 'Ordered 3 weeks ago.' }),
    };
    // Each attempt of one activity: the same workflow and activity ids, the attempt counted up.
    const attempt = (number: number): Promise<RunToolOutput> =>
      new MockActivityEnvironment({
        workflowExecution: { workflowId: 'cs-42', runId: 'run-1' },
        activityId: '9',
        attempt: number,
      }).run<[RunToolInput], RunToolOutput, typeof runTool>(runTool, input);
    await assert.rejects(attempt(1), /ToolFailed|worker lost/);
    const second = await attempt(2);
    assert.equal(second.ok, true);
    assert.match(second.observation, /^Already opened ticket T-1001/);
    const tickets = await store.list();
    assert.equal(tickets.length, 1, 'one ticket, not two');
    assert.equal(tickets[0]?.idempotencyKey, 'cs-42/9');
    await store.close();
  });
});
