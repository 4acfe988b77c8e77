import type { Client } from '@temporalio/client';
import { Option, type Command } from 'commander';
import type { CustomerServiceRequest, SessionState, TurnReply } from '../../common/customer-service.js';
import { sessionStateQuery } from '../../common/messages.js';
import { chooseDefaultModel } from '../default-model.js';
import {
  addTenantOptions,
  checkModelAlias,
  connectionFlags,
  modelOptionDescription,
  positiveInteger,
  tenantFromFlags,
  type ConnectionOptionValues,
  type TenantFlags,
} from '../cli-options.js';

interface ChatFlags extends TenantFlags, ConnectionOptionValues {
  model?: string;
  customer: string;
  name?: string;
  session?: string;
  close?: boolean;
  json?: boolean;
}

/**
 * `llmos chat`: a customer-service session in the terminal, one line a message; and `llmos cs`
 * to send one message, show a session or close it. Sessions follow the worker's
 * `config/customer_service.yaml`.
 */
export function registerCustomerServiceCommands(program: Command): void {
  addTenantOptions(
    program
      .command('chat')
      .description(
        'Talk to the customer-service agent: each line you type is a message, each reply is printed',
      )
      .option('--model <provider:model>', modelOptionDescription)
      .option('--customer <id>', 'who is writing: a customer id of the orders database', 'guest')
      .option('--name <name>', "the customer's name")
      .option('--session <id>', 'go on with this session instead of starting one')
      .option('--close', 'close the session when the input ends (otherwise it closes when idle)')
      .option('--json', 'print each reply as a JSON line'),
  ).action(async (flags: ChatFlags) => {
    const [{ connectClient }, { startSession }] = await Promise.all([
      import('../llmos-client.js'),
      import('../customer-service.js'),
    ]);
    let sessionId = flags.session;
    const model = flags.model ?? chooseDefaultModel(process.env, 'demo-support').model;
    const request: CustomerServiceRequest = {
      model,
      customer: { id: flags.customer, ...(flags.name ? { name: flags.name } : {}) },
      ...tenantFromFlags(flags),
    };
    if (!sessionId) await checkModelAlias(model);
    const client = await connectClient(connectionFlags(flags));
    if (!sessionId) {
      sessionId = (await startSession(client, request)).workflowId;
      if (!flags.json) console.log(`Session ${sessionId} on ${model}. Type a message; an empty input ends.`);
    }
    process.exitCode = await chat(client, sessionId, flags);
  });

  const cs = program
    .command('cs')
    .description('Customer-service sessions: send a message, show or close one');
  cs.command('send')
    .description('Send one customer message to a session and print the reply')
    .argument('<session>', 'the session id')
    .argument('<message>', 'the message')
    .option('--id <message-id>', 'the message id: sending it again gets the same reply, not a second turn')
    .option('--json', 'print the reply as JSON')
    .action(
      async (
        sessionId: string,
        text: string,
        flags: { id?: string; json?: boolean } & ConnectionOptionValues,
      ) => {
        const [{ connectClient }, { sendMessage, withRestoredReply }] = await Promise.all([
          import('../llmos-client.js'),
          import('../customer-service.js'),
        ]);
        const client = await connectClient(connectionFlags(flags));
        const reply = await withRestoredReply(
          await sendMessage(client, sessionId, text, flags.id ? { messageId: flags.id } : {}),
        );
        printReply(reply, flags.json ?? false);
        process.exitCode = reply.outcome === 'fallback' ? 1 : 0;
      },
    );
  cs.command('show')
    .description('Show a session: its state, summary, recent turns and totals')
    .argument('<session>', 'the session id')
    .option('--json', 'print as JSON')
    .action(async (sessionId: string, flags: { json?: boolean } & ConnectionOptionValues) => {
      const [{ connectClient }, { sessionState }] = await Promise.all([
        import('../llmos-client.js'),
        import('../customer-service.js'),
      ]);
      const state = await sessionState(await connectClient(connectionFlags(flags)), sessionId);
      if (flags.json) return console.log(JSON.stringify(state, null, 2));
      printState(sessionId, state);
    });
  cs.command('close')
    .description('Close a session once its turns under way are answered')
    .argument('<session>', 'the session id')
    .addOption(new Option('--reason <text>', 'why, for the record'))
    .action(async (sessionId: string, flags: { reason?: string } & ConnectionOptionValues) => {
      const [{ connectClient }, { closeSession }] = await Promise.all([
        import('../llmos-client.js'),
        import('../customer-service.js'),
      ]);
      const state = await closeSession(await connectClient(connectionFlags(flags)), sessionId, flags.reason);
      printState(sessionId, state);
    });
  registerHandoffCommands(cs);
  cs.command('demo')
    .description(
      "Build the example company's knowledge base and run a customer conversation, offline, on a local server and worker",
    )
    .option('--port <port>', 'Temporal gRPC port', positiveInteger, 7233)
    .option('--ui-port <port>', 'Temporal UI port', positiveInteger, 8233)
    .action(async (flags: { port: number; uiPort: number }) => {
      const [{ withLocalWorker }, { runCustomerServiceDemo }, { announceModel }, { ensureLocalModels }] =
        await Promise.all([
          import('../local-worker.js'),
          import('../cs-demo.js'),
          import('./demo.js'),
          import('../local-models.js'),
        ]);
      const { model, scripted } = chooseDefaultModel(process.env, 'demo-support');
      announceModel(model, scripted, 'demo-support');
      await ensureLocalModels();
      await withLocalWorker(flags, async ({ client, taskQueue, uiLink }) => {
        const { sessionId, unexpected } = await runCustomerServiceDemo(client, {
          taskQueue,
          model,
          print: (line) => console.log(line),
        });
        console.log(`See the session in the Temporal UI: ${uiLink(sessionId)}`);
        for (const problem of unexpected) console.error(`unexpected: ${problem}`);
        process.exitCode = unexpected.length === 0 ? 0 : 1;
      });
    });
}

function registerHandoffCommands(cs: Command): void {
  cs.command('handoffs')
    .description('List the sessions people have taken over, most urgent and oldest first')
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean } & ConnectionOptionValues) => {
      const [{ connectClient }, { listHandoffs }] = await Promise.all([
        import('../llmos-client.js'),
        import('../customer-service.js'),
      ]);
      const entries = await listHandoffs(await connectClient(connectionFlags(flags)));
      if (flags.json) return console.log(JSON.stringify(entries, null, 2));
      if (entries.length === 0) return console.log('No session waits for a person.');
      for (const { sessionId, state } of entries) {
        const handoff = state.handoff!;
        console.log(
          `${sessionId}  ${handoff.priority.padEnd(6)} ${new Date(handoff.since).toISOString()}  customer ${state.customer.id}, ${handoff.waiting} waiting${handoff.ticket ? `, ticket ${handoff.ticket}` : ''}`,
        );
        console.log(`    ${handoff.reason}`);
      }
    });
  cs.command('reply')
    .description('Reply to a customer as a person, in a session handed to people')
    .argument('<session>', 'the session id')
    .argument('<text>', 'the reply')
    .requiredOption('--by <name>', 'who replies')
    .action(async (sessionId: string, text: string, flags: { by: string } & ConnectionOptionValues) => {
      const [{ connectClient }, { replyAsPerson }] = await Promise.all([
        import('../llmos-client.js'),
        import('../customer-service.js'),
      ]);
      const turn = await replyAsPerson(await connectClient(connectionFlags(flags)), sessionId, {
        text,
        by: flags.by,
      });
      console.log(`Turn ${turn.turn}: ${turn.by} replied.`);
    });
  cs.command('return')
    .description('Give a handed-off session back to the agent')
    .argument('<session>', 'the session id')
    .requiredOption('--by <name>', 'who gives it back')
    .action(async (sessionId: string, flags: { by: string } & ConnectionOptionValues) => {
      const [{ connectClient }, { giveBackToAgent }] = await Promise.all([
        import('../llmos-client.js'),
        import('../customer-service.js'),
      ]);
      printState(
        sessionId,
        await giveBackToAgent(await connectClient(connectionFlags(flags)), sessionId, flags.by),
      );
    });
}

/** Reads messages from standard input until it ends; returns the exit code. */
async function chat(client: Client, sessionId: string, flags: ChatFlags): Promise<number> {
  const [{ createInterface }, { sendMessage, withRestoredReply, closeSession, MessageRefusedError }] =
    await Promise.all([import('node:readline'), import('../customer-service.js')]);
  const lines = createInterface({
    input: process.stdin,
    ...(process.stdin.isTTY ? { output: process.stdout, prompt: 'you> ' } : {}),
  });
  let exitCode = 0;
  // While a person has the session, their replies are shown as they come.
  const people = watchPersonReplies(client, sessionId, flags.json ?? false);
  lines.prompt();
  for await (const line of lines) {
    const text = line.trim();
    if (text === '') break;
    try {
      const reply = await withRestoredReply(await sendMessage(client, sessionId, text));
      printReply(reply, flags.json ?? false);
      people.after(reply.turn, reply.handoff !== undefined);
      // A turn that could not answer is a failure; a hand-off or a blocked message is the service working.
      if (reply.outcome === 'fallback') exitCode = 1;
    } catch (error) {
      if (!(error instanceof MessageRefusedError)) throw error;
      console.error(error.message);
      exitCode = 1;
      break;
    }
    lines.prompt();
  }
  lines.close();
  people.stop();
  if (flags.close) {
    const state = await closeSession(client, sessionId, 'the customer left');
    if (!flags.json) printState(sessionId, state);
  } else if (!flags.json)
    console.log(
      `Session ${sessionId} stays open until it is idle; go on with: llmos chat --session ${sessionId}`,
    );
  return exitCode;
}

/** Polls a handed-off session every two seconds and prints the people's replies after the last turn seen. */
function watchPersonReplies(client: Client, sessionId: string, json: boolean) {
  let seen = 0;
  let handedOff = false;
  const timer = setInterval(() => {
    if (!handedOff) return;
    client.workflow
      .getHandle(sessionId)
      .query(sessionStateQuery)
      .then((state) => {
        for (const turn of state.recent.filter((turn) => turn.outcome === 'person' && turn.turn > seen)) {
          console.log(json ? JSON.stringify(turn) : `${turn.by}> ${turn.reply}`);
          seen = turn.turn;
        }
        handedOff = state.handoff !== undefined;
      })
      .catch(() => undefined);
  }, 2_000);
  return {
    after(turn: number, isHandedOff: boolean) {
      seen = Math.max(seen, turn);
      handedOff = isHandedOff;
    },
    stop: () => clearInterval(timer),
  };
}

function printReply(reply: TurnReply, json: boolean): void {
  if (json) return console.log(JSON.stringify(reply));
  console.log(`agent> ${reply.reply}`);
  if (reply.outcome !== 'answered') console.log(`       (${reply.outcome}: ${reply.detail})`);
}

function printState(sessionId: string, state: SessionState): void {
  const closed = state.status === 'closed' ? `closed (${state.closedBy}: ${state.closedDetail})` : 'open';
  console.log(
    `Session ${sessionId}: ${closed}; ${state.config.name} v${state.config.version}; customer ${state.customer.id}`,
  );
  console.log(
    `${state.turns} turns in ${state.execution} execution(s); ${state.totals.modelCalls} model calls, ${state.totals.totalTokens} tokens, $${state.totals.costUsd.toFixed(4)}`,
  );
  if (state.handoff)
    console.log(
      `With a person since ${new Date(state.handoff.since).toISOString()} (${state.handoff.priority}): ${state.handoff.reason}${state.handoff.ticket ? `; ticket ${state.handoff.ticket}` : ''}`,
    );
  if (state.summary) console.log(`Summary: ${state.summary}`);
  for (const turn of state.recent)
    console.log(
      turn.outcome === 'person'
        ? `  [${turn.turn}] ${turn.by}: ${turn.reply}`
        : `  [${turn.turn}] customer: ${turn.message}\n      agent: ${turn.reply}`,
    );
}
