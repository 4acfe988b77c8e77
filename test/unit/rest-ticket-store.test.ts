/** Tickets opened in a helpdesk with a Zendesk-style API, against a real HTTP server on loopback. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openRestTicketStore } from '../../activities/tickets/rest-ticket-store.js';
import { createTicketTool } from '../../activities/tools/create-ticket.js';
import { NewTicketSchema } from '../../common/tickets.js';
import { startFakeHelpdesk, type FakeHelpdesk } from '../helpers/fake-helpdesk.js';

void describe('the REST ticket store (a Zendesk-style helpdesk)', () => {
  let desk: FakeHelpdesk;
  before(async () => {
    desk = await startFakeHelpdesk();
  });
  after(() => desk?.close());
  const store = () => openRestTicketStore({ url: `${desk.url}/`, token: desk.token });
  const ticket = NewTicketSchema.parse({
    subject: 'Router restarts at night',
    description: 'The R2 restarts every night.',
    priority: 'high',
    customer: 'C-1003',
  });

  void it('opens a ticket, reads it back by its id, and lists it', async () => {
    const tickets = store();
    const { ticket: opened, created } = await tickets.open(ticket, {
      idempotencyKey: 'session-1/turn-1/7',
      workflowId: 'session-1/turn-1',
    });
    assert.equal(created, true);
    assert.match(opened.id, /^T-\d+$/);
    assert.deepEqual(
      [opened.subject, opened.priority, opened.customer, opened.status, opened.workflowId],
      ['Router restarts at night', 'high', 'C-1003', 'open', 'session-1/turn-1'],
    );
    const read = await tickets.get(opened.id);
    assert.equal(read?.customer, 'c-1003', 'the customer comes back from its tag, in lower case');
    assert.match(
      read?.description ?? '',
      /restarts every night\.\n\n\(Opened by llmos run session-1\/turn-1\.\)/,
    );
    assert.equal(await tickets.get('T-999999'), undefined);
    assert.equal(await tickets.get('not-a-ticket'), undefined);
    assert.ok((await tickets.list({ limit: 5 })).some((listed) => listed.id === opened.id));
    assert.deepEqual(await tickets.list({ status: 'closed' }), []);
  });

  void it('opens one ticket per key: a retry after a lost answer finds the ticket the first attempt made', async () => {
    desk.honourIdempotencyKeys = false;
    try {
      const tool = createTicketTool(store());
      const context = {
        signal: new AbortController().signal,
        idempotencyKey: 'session-2/turn-1/9',
        workflowId: 'session-2/turn-1',
        boundary: 'b',
        spend: () => {},
      };
      const before = desk.tickets.length;
      desk.loseNextAnswer();
      await assert.rejects(tool.execute(ticket, context), /the helpdesk answered 500/);
      // Temporal's retry: the same key. The helpdesk made the ticket; the retry finds it by external_id.
      const retried = await tool.execute(ticket, context);
      assert.match(retried, /^Already opened ticket T-\d+ \(high priority\): Router restarts at night$/);
      assert.equal(desk.tickets.length, before + 1);
    } finally {
      desk.honourIdempotencyKeys = true;
    }
  });

  void it('sends the key as Idempotency-Key, and says what is wrong when the helpdesk refuses', async () => {
    const tickets = store();
    await tickets.open(ticket, { idempotencyKey: 'session-3/turn-1/4', workflowId: 'session-3/turn-1' });
    assert.ok(desk.requests.includes('GET /api/v2/tickets.json?external_id=session-3%2Fturn-1%2F4'));
    const wrong = openRestTicketStore({ url: desk.url, token: 'wrong' });
    await assert.rejects(
      wrong.get('T-35436'),
      /the helpdesk answered 401 to GET \/api\/v2\/tickets\/35436\.json/,
    );
  });
});
