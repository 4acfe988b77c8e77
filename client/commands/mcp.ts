import type { Command } from 'commander';
import { defaultTaskQueue } from '../../common/task-queues.js';
import { connectionFlags, portNumber, type ConnectionOptionValues } from '../cli-options.js';
import { chooseDefaultModel } from '../default-model.js';
import { llmosVersion } from '../../workers/project-root.js';
import { untilInterrupted } from '../until-interrupted.js';

interface McpFlags extends ConnectionOptionValues {
  http?: number;
  host: string;
  token?: string;
  model?: string;
  taskQueue?: string;
}

/**
 * `llmos mcp`: llmos as an MCP server. Over stdio by default (an MCP client runs the command);
 * with `--http <port>`, over Streamable HTTP behind a bearer token. Runs start on the task
 * queue's workers, which must be running (`llmos worker`).
 */
export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description("Serve llmos's jobs as MCP tools (stdio, or Streamable HTTP with --http)")
    .option(
      '--http <port>',
      'serve Streamable HTTP on this port (0: any free one) instead of stdio',
      portNumber,
    )
    .option('--host <host>', 'with --http: the address to listen on', '127.0.0.1')
    .option('--token <token>', 'with --http: the bearer token clients must send (or LLMOS_MCP_TOKEN)')
    .option('--model <provider:model>', 'the model of runs that name none')
    .option('--task-queue <name>', 'where runs start (default: LLMOS_TASK_QUEUE or llmos)')
    .action(async (flags: McpFlags) => {
      const token = flags.token ?? process.env.LLMOS_MCP_TOKEN;
      if (flags.http !== undefined && !token)
        throw new Error('--http needs a bearer token for clients to send: --token or LLMOS_MCP_TOKEN');
      const { connectClient } = await import('../llmos-client.js');
      const client = await connectClient(connectionFlags(flags));
      const options = {
        client,
        taskQueue: flags.taskQueue ?? process.env.LLMOS_TASK_QUEUE ?? defaultTaskQueue,
        defaultModel: flags.model ?? chooseDefaultModel(process.env).model,
        version: llmosVersion(),
      };
      const { serveMcpOverHttp, serveMcpOverStdio } = await import('../mcp-server/serve-mcp.js');
      try {
        if (flags.http === undefined) return await serveMcpOverStdio(options);
        const served = await serveMcpOverHttp({
          ...options,
          port: flags.http,
          host: flags.host,
          token: token!,
        });
        // stdout: the address, for whoever started the server (a script, a test) to read.
        console.log(`llmos MCP server on ${served.url}, runs on task queue ${options.taskQueue}`);
        await untilInterrupted();
        await served.close();
      } finally {
        await client.connection.close();
      }
    });
}
