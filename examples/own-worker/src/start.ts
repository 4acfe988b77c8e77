/**
 * Runs the application's workflow once, and an llmos agent directly with llmos's own client, and
 * prints both results as one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { startRun } from 'llmos/client';
import type { refundDeskWorkflow } from './workflows.js';

const taskQueue = process.env.TASK_QUEUE ?? 'refund-desk';
const model = process.env.MODEL ?? 'scripted:refund-desk';
const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233' });
try {
  const client = new Client({ connection });
  const refundDesk = await client.workflow.execute<typeof refundDeskWorkflow>('refundDeskWorkflow', {
    args: ['My router (order BL-1001) arrived broken. I want my money back.', model],
    taskQueue,
    workflowId: `refund-desk-${randomUUID()}`,
  });
  const agent = await startRun(
    client,
    'agent',
    { question: 'What is 15% of $129?', model, tools: ['calculator'] },
    { taskQueue },
  );
  const direct = await agent.result();
  console.log(
    JSON.stringify({ refundDesk, direct: { answer: direct.answer, stopReason: direct.stopReason } }),
  );
} finally {
  await connection.close();
}
