/**
 * The shop's tools and MCP servers for `llmos worker`: the same tools as its own worker's, and
 * the shop's policies folder through the reference filesystem MCP server, read-only in practice
 * (the agent is offered its tools by naming the server: `--tools policies`), and where the
 * example's scripted model finds its script.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'llmos';
import { issueRefund, lookupOrder } from './src/tools.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  tools: [lookupOrder, issueRefund],
  mcpServers: {
    policies: {
      command: process.execPath,
      args: [
        fileURLToPath(import.meta.resolve('@modelcontextprotocol/server-filesystem/dist/index.js')),
        here('policies'),
      ],
      timeoutMs: 20_000,
    },
  },
  // The scripted model of this example answers without an API key; the environment can override this.
  settings: { LLMOS_SCRIPTS_DIRECTORY: here('scripts') },
});
