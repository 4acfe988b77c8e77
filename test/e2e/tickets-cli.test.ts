/** `llmos tickets` as a user runs it, over the ticket store the workers write. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openSqliteTicketStore } from '../../activities/tickets/sqlite-ticket-store.js';
import { NewTicketSchema } from '../../common/tickets.js';
import { describeRun, runLlmos } from '../helpers/worker-process.js';

const folder = mkdtempSync(path.join(tmpdir(), 'llmos-tickets-cli-'));
after(() => rmSync(folder, { recursive: true, force: true }));

void describe('llmos tickets, end to end', () => {
  void it('lists the tickets newest first, shows one whole, and names an unknown id', async () => {
    const file = path.join(folder, 'tickets.sqlite');
    const store = openSqliteTicketStore(file);
    for (const [index, subject] of ['Router keeps rebooting', 'Refund not received'].entries())
      await store.open(NewTicketSchema.parse({ subject, description: `Case ${index}.`, priority: 'high' }), {
        idempotencyKey: `cs-1/${index}`,
        workflowId: 'cs-1',
      });
    await store.close();
    const env = { LLMOS_TICKETS_FILE: file };

    const listed = await runLlmos(['tickets'], env);
    assert.equal(listed.code, 0, describeRun(listed));
    assert.match(
      listed.stdout,
      /^T-1002 +open +high +\S+ +Refund not received\nT-1001 +open +high +\S+ +Router keeps rebooting\n$/,
    );

    const one = await runLlmos(['tickets', 'T-1001', '--json'], env);
    assert.equal(one.code, 0, describeRun(one));
    const ticket = JSON.parse(one.stdout) as { id: string; description: string; workflowId: string };
    assert.deepEqual([ticket.id, ticket.description, ticket.workflowId], ['T-1001', 'Case 0.', 'cs-1']);

    const unknown = await runLlmos(['tickets', 'T-9999'], env);
    assert.equal(unknown.code, 1, describeRun(unknown));
    assert.match(unknown.stderr, /no ticket T-9999 in /);
  });
});
