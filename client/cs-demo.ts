/**
 * The customer-service tour: the example company's knowledge base built from
 * examples/company/knowledge (a knowledge run per product), then one session with a customer who
 * greets, asks about returns (an answer that cites the policy), asks where an order is (a tool),
 * and loses patience (handed to a person, with a ticket); a person answers and gives the session
 * back, and the agent takes the last message. Prints the conversation as the customer and the
 * person see it. `llmos cs demo` runs it on a local worker; tests run it on theirs.
 */
import type { Client } from '@temporalio/client';
import path from 'node:path';
import type { TurnOutcome } from '../common/customer-service.js';
import {
  closeSession,
  giveBackToAgent,
  replyAsPerson,
  sendMessage,
  startSession,
  withRestoredReply,
} from './customer-service.js';
import { projectRoot } from './project-paths.js';
import { startRun } from './start-run.js';

export const demoKnowledgeBase = 'brightline';
const knowledgeFolder = path.join(projectRoot, 'examples', 'company', 'knowledge');
const products = ['orders', 'billing', 'router'] as const;

/** The customer's messages, and what each should get. */
export const demoConversation: { text: string; expect: TurnOutcome }[] = [
  { text: 'Hello!', expect: 'answered' },
  { text: 'How long do I have to return a router?', expect: 'answered' },
  { text: 'Where is my order BL-25061?', expect: 'answered' },
  {
    text: 'This is ridiculous, my router died again and nobody helps. I want a real person!',
    expect: 'handed-off',
  },
  { text: 'Thank you, that is all.', expect: 'answered' },
];

export interface DemoOutcome {
  sessionId: string;
  /** The turns whose outcome was not the one expected, described; empty when all were. */
  unexpected: string[];
}

/** Builds (or brings up to date) the example company's knowledge base: a knowledge run per product. */
export async function buildDemoKnowledgeBase(
  client: Client,
  options: { taskQueue: string; print: (line: string) => void },
): Promise<void> {
  const { taskQueue, print } = options;
  print(`Knowledge base ${demoKnowledgeBase} from examples/company/knowledge:`);
  for (const product of products) {
    const handle = await startRun(
      client,
      'knowledge',
      {
        base: demoKnowledgeBase,
        paths: [path.join(knowledgeFolder, product)],
        metadata: { product, language: 'en' },
      },
      { taskQueue },
    );
    const result = await handle.result();
    if (result.stopReason !== 'answer' || result.documents.some((document) => document.status === 'failed'))
      throw new Error(`the knowledge run for ${product} did not finish: ${result.stopDetail}`);
    const counts = ['added', 'replaced', 'unchanged'].map(
      (status) => `${result.documents.filter((document) => document.status === status).length} ${status}`,
    );
    print(`  ${product}: ${counts.join(', ')}`);
  }
}

export async function runCustomerServiceDemo(
  client: Client,
  options: { taskQueue: string; model: string; print: (line: string) => void },
): Promise<DemoOutcome> {
  const { taskQueue, model, print } = options;
  await buildDemoKnowledgeBase(client, { taskQueue, print });

  const session = await startSession(
    client,
    { model, customer: { id: 'C-1001', name: 'Jane Roe' } },
    { taskQueue },
  );
  const sessionId = session.workflowId;
  print(`\nSession ${sessionId}, customer C-1001 (Jane Roe):\n`);
  const unexpected: string[] = [];
  for (const message of demoConversation) {
    print(`customer> ${message.text}`);
    const reply = await withRestoredReply(await sendMessage(client, sessionId, message.text));
    print(`agent>    ${reply.reply}`);
    const read = reply.assessment
      ? `sentiment ${reply.assessment.sentiment}, ${reply.assessment.priority} priority${reply.assessment.product ? `, about ${reply.assessment.product}` : ''}`
      : 'not assessed';
    print(`          [${reply.outcome}; ${read}; $${reply.totals.costUsd.toFixed(6)}]`);
    if (reply.outcome !== message.expect)
      unexpected.push(`"${message.text}" got ${reply.outcome} (${reply.detail}), not ${message.expect}`);
    if (reply.outcome === 'handed-off' && reply.handoff) {
      const { handoff } = reply;
      print(
        `          handed to a person: ${handoff.reason}; ticket ${handoff.ticket ?? `none (${handoff.ticketProblem})`}`,
      );
      const person = 'Sam (Brightline support)';
      const text = `I am sorry, Jane. A new R2 router leaves our warehouse today${handoff.ticket ? `; your ticket is ${handoff.ticket}` : ''}.`;
      await replyAsPerson(client, sessionId, { text, by: person });
      print(
        `person>   ${text}\n          [${person}, from the inbox; then gives the session back to the agent]`,
      );
      await giveBackToAgent(client, sessionId, person);
    }
  }
  const state = await closeSession(client, sessionId, 'the demo is over');
  print(
    `\nClosed after ${state.turns} turns: ${state.totals.modelCalls} model calls, ${state.totals.toolCalls} tool calls, ${state.totals.totalTokens} tokens, $${state.totals.costUsd.toFixed(6)}.`,
  );
  return { sessionId, unexpected };
}
