import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { McpServer, McpServers } from '../../common/mcp-servers.js';

/** What a server last wrote to stderr, kept for the message when it fails. */
const stderrTailChars = 1_000;

interface Connection {
  client: Client;
}

/**
 * One MCP client per configured server, made on first use and shared by every call on the worker
 * (MCP multiplexes requests on one connection). A connection that closes (a stdio server that
 * crashed, an HTTP session that ended) is forgotten, and the next call connects again; a failed
 * connect is not kept either. Not an activity: the MCP activities use it.
 */
export class McpConnections {
  private readonly open = new Map<string, Promise<Connection>>();
  /** Each stdio server's last words on stderr, kept past its connection: a crash's reason. */
  private readonly stderrTails = new Map<string, string>();

  constructor(
    readonly servers: McpServers,
    /** How llmos introduces itself to the servers. */
    private readonly clientInfo = { name: 'llmos', version: '0.0.0' },
  ) {}

  has(server: string): boolean {
    return Object.hasOwn(this.servers, server);
  }

  /** The server's connection; throws what connecting threw (the caller says which server). */
  async connect(server: string): Promise<Connection> {
    const existing = this.open.get(server);
    if (existing) return existing;
    const config = this.servers[server];
    if (!config) throw new Error(`no MCP server "${server}" is configured`);
    const connecting = this.start(server, config);
    this.open.set(server, connecting);
    connecting.catch(() => {
      if (this.open.get(server) === connecting) this.open.delete(server);
    });
    return connecting;
  }

  /** What the server wrote to stderr last, if it is a stdio server that has run. */
  stderrOf(server: string): string {
    return (this.stderrTails.get(server) ?? '').trim();
  }

  /** Closes every connection (stdio servers' processes end with theirs). */
  async close(): Promise<void> {
    const connections = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(connections.map(async (connecting) => (await connecting).client.close()));
  }

  private async start(server: string, config: McpServer): Promise<Connection> {
    let transport: Transport;
    if ('command' in config) {
      const stdio = new StdioClientTransport({
        command: config.command,
        args: config.args,
        env: { ...getDefaultEnvironment(), ...config.env },
        ...(config.cwd !== undefined ? { cwd: config.cwd } : {}),
        stderr: 'pipe',
      });
      this.stderrTails.delete(server);
      stdio.stderr?.on('data', (chunk: Buffer) => {
        const tail = (this.stderrTails.get(server) ?? '') + chunk.toString('utf8');
        this.stderrTails.set(server, tail.slice(-stderrTailChars));
      });
      transport = stdio;
    } else {
      transport = new StreamableHTTPClientTransport(new URL(config.url), {
        requestInit: { headers: config.headers },
      });
    }
    const client = new Client(this.clientInfo);
    client.onclose = () => {
      // Only this connection: a newer one may already stand in its place.
      void this.open.get(server)?.then(
        (current) => {
          if (current.client === client) this.open.delete(server);
        },
        // A connect that failed: `connect` forgets it itself.
        () => undefined,
      );
    };
    try {
      await client.connect(transport, { timeout: config.connectTimeoutMs });
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    return { client };
  }
}
