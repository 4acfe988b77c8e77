import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { QueryRows, SqlExecution } from '../../common/database.js';
import type { ExecuteOptions, SqlConnection } from './sql-backend.js';

const runnerPath = fileURLToPath(new URL('./sqlite-runner.js', import.meta.url));

type RunnerReply = { id: number } & (({ ok: true } & QueryRows) | { ok: false; error: string });
type RunnerStatus = { type: 'ready' } | { type: 'failed'; error: string };

/** Runners alive in this process, killed when it exits (a crash is covered by the runner's watchdog). */
const liveRunners = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveRunners) child.kill('SIGKILL');
});

/** One warm runner process: started lazily, replaced after a timeout kills it. */
class Runner {
  readonly ready: Promise<void>;
  private readonly pending = new Map<number, (reply: RunnerReply | Error) => void>();
  private nextId = 1;
  private exitError?: string;

  constructor(
    private readonly file: string,
    private readonly child: ChildProcess = fork(runnerPath, [file], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    }),
  ) {
    liveRunners.add(child);
    this.hold();
    this.ready = new Promise<void>((resolve, reject) => {
      child.on('message', (message: RunnerReply | RunnerStatus) => {
        if ('type' in message) {
          if (message.type === 'ready') resolve();
          else reject(new Error(`cannot open SQLite database ${file}: ${message.error}`));
          return;
        }
        this.pending.get(message.id)?.(message);
        this.pending.delete(message.id);
      });
      child.on('exit', (code, signal) => {
        liveRunners.delete(child);
        this.exitError ??= `the SQLite runner for ${file} exited (${signal ?? `code ${code}`})`;
        reject(new Error(this.exitError));
        for (const settle of this.pending.values()) settle(new Error(this.exitError));
        this.pending.clear();
      });
    });
    // Awaited by every caller; this only keeps a failure nobody waits for from being "unhandled".
    this.ready.then(
      () => this.release(),
      () => this.release(),
    );
  }

  private busy = 0;
  /** Keeps the process alive while the runner starts or runs a statement; an idle runner must not. */
  private hold(): void {
    if (this.busy++ === 0) {
      this.child.ref();
      this.child.channel?.ref();
    }
  }
  private release(): void {
    if (--this.busy === 0) {
      this.child.unref();
      this.child.channel?.unref();
    }
  }

  get alive(): boolean {
    return this.exitError === undefined;
  }

  /**
   * Runs one statement; resolves undefined when it ran past `timeoutMs` (the runner is then
   * killed) and rejects when the runner died for another reason.
   */
  async run(sql: string, maxRows: number, timeoutMs: number): Promise<RunnerReply | undefined> {
    await this.ready;
    const id = this.nextId++;
    this.hold();
    return new Promise<RunnerReply | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.kill();
        resolve(undefined);
      }, timeoutMs);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        if (reply instanceof Error) reject(reply);
        else resolve(reply);
      });
      this.child.send({ id, sql, maxRows });
    }).finally(() => this.release());
  }

  kill(): void {
    // Dead from now on, so the next statement starts a fresh runner instead of racing the exit.
    this.exitError ??= `the SQLite runner for ${this.file} was stopped`;
    this.child.kill('SIGKILL');
  }
}

/**
 * SQLite, read-only: the file is opened with `readonly: true` and `PRAGMA query_only = ON` in a
 * child process (sqlite-runner.js), one per backend, kept warm between statements. A statement
 * that runs past its timeout is stopped by SIGKILL of that process; the next statement starts
 * a new one (about 0.2 s). Statements on one backend run one at a time.
 */
export function createSqliteConnection(file: string): SqlConnection & { start(): Promise<void> } {
  let runner: Runner | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const current = () => {
    if (!runner?.alive) runner = new Runner(file);
    return runner;
  };
  const serially = <T>(task: () => Promise<T>): Promise<T> => {
    const result = queue.then(task, task);
    queue = result.catch(() => undefined);
    return result;
  };

  return {
    dialect: 'sqlite',
    start: () => serially(() => current().ready),
    execute: (sql: string, { timeoutMs, maxRows }: ExecuteOptions): Promise<SqlExecution> =>
      serially(async () => {
        const active = current();
        await active.ready;
        const started = performance.now();
        const reply = await active.run(sql, maxRows, timeoutMs);
        const elapsedMs = Math.round(performance.now() - started);
        if (!reply) return { ok: false, elapsedMs, timedOut: true, error: `timed out after ${timeoutMs} ms` };
        if (!reply.ok) return { ok: false, elapsedMs, timedOut: false, error: reply.error };
        return { ok: true, elapsedMs, columns: reply.columns, rows: reply.rows, truncated: reply.truncated };
      }),
    /** sha256 of the file's bytes (and of its WAL, if any): changes with any write. */
    checksum: async () => {
      const hash = createHash('sha256');
      for (const path of [file, `${file}-wal`]) {
        try {
          for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || path === file) throw error;
        }
      }
      return hash.digest('hex');
    },
    close: () => {
      runner?.kill();
      runner = undefined;
      return Promise.resolve();
    },
  };
}
