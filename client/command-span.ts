import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Command } from 'commander';
import { tracingInstalled } from '../workers/tracing.js';

const tracer = trace.getTracer('llmos');

/** Commands that serve until stopped: each request or run they handle is its own trace, not one of theirs. */
const servingCommands = new Set(['worker', 'serve', 'server', 'codec-server', 'fake-llm', 'mcp']);

/**
 * Runs one CLI command inside a root span, `llmos <command>`, so the runs it starts, the queries
 * and updates it sends, and all their workflows' and activities' spans are one trace. Without
 * tracing, or for a serving command, it only runs it. A failure marks the span and is rethrown.
 */
export function withCommandSpan(program: Command, argv: readonly string[], run: () => Promise<unknown>) {
  const first = argv.slice(2).find((word) => !word.startsWith('-'));
  if (!tracingInstalled() || first === undefined || servingCommands.has(first)) return run();
  return tracer.startActiveSpan(`llmos ${first}`, async (span) => {
    // The whole command path (`llmos cs send`) once commander has found it.
    program.hook('preAction', (_root, action) => {
      const words: string[] = [];
      for (let command: Command | null = action; command?.parent; command = command.parent)
        words.unshift(command.name());
      span.updateName(`llmos ${words.join(' ')}`);
    });
    try {
      return await run();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}
