import { InvalidArgumentError, type Command } from 'commander';
import { positiveInteger } from '../cli-options.js';

const statuses = ['open', 'closed'] as const;

/** `llmos tickets [id]`: the tickets runs opened (`create_ticket`), newest first, or one whole. */
export function registerTicketCommands(program: Command): void {
  program
    .command('tickets')
    .description('List the support tickets runs opened, newest first, or show one')
    .argument('[id]', 'a ticket id, e.g. T-1001')
    .option('--status <status>', 'only open or closed ones', (value: string) => {
      if (!(statuses as readonly string[]).includes(value))
        throw new InvalidArgumentError(`the statuses are ${statuses.join(', ')}`);
      return value as (typeof statuses)[number];
    })
    .option('--limit <n>', 'how many (default 50)', positiveInteger, 50)
    .option('--json', 'print as JSON')
    .action(
      async (
        id: string | undefined,
        flags: { status?: (typeof statuses)[number]; limit: number; json?: boolean },
      ) => {
        const { openWorkerTickets } = await import('../../workers/local-tools/tickets.js');
        const { store, where } = openWorkerTickets();
        try {
          if (id !== undefined) {
            const ticket = await store.get(id);
            if (!ticket) throw new Error(`no ticket ${id} in ${where}`);
            if (flags.json) return console.log(JSON.stringify(ticket, null, 2));
            console.log(`${ticket.id} (${ticket.status}, ${ticket.priority} priority): ${ticket.subject}`);
            console.log(
              `Opened ${ticket.createdAt} by run ${ticket.workflowId}${ticket.customer ? ` for ${ticket.customer}` : ''}`,
            );
            return console.log(`\n${ticket.description}`);
          }
          const tickets = await store.list({
            ...(flags.status ? { status: flags.status } : {}),
            limit: flags.limit,
          });
          if (flags.json) return console.log(JSON.stringify(tickets, null, 2));
          if (tickets.length === 0) return console.log(`No tickets in ${where}.`);
          for (const ticket of tickets)
            console.log(
              `${ticket.id.padEnd(8)} ${ticket.status.padEnd(6)} ${ticket.priority.padEnd(6)} ${ticket.createdAt}  ${ticket.subject}`,
            );
        } finally {
          await store.close();
        }
      },
    );
}
