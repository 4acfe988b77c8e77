import type {
  LedgerBatch,
  LedgerBatchResult,
  LedgerSnapshot,
  ReserveRequest,
  ReserveResult,
  SettleRequest,
  SharedBudget,
} from '../../common/shared-budget.js';

/** The most requests one batch carries; more wait for the next. */
const maxBatch = 200;

interface Waiting<Request, Answer> {
  request: Request;
  resolve: (answer: Answer) => void;
  reject: (error: unknown) => void;
}

interface ScopeQueue {
  budget: SharedBudget;
  settles: Waiting<SettleRequest, LedgerSnapshot>[];
  reserves: Waiting<ReserveRequest, ReserveResult>[];
  sending: boolean;
}

/**
 * Gathers one worker's reservations and settlements for each ledger into batches, with one batch
 * in flight per ledger at a time: what arrives while a batch is out goes in the next. A ledger
 * accepts 10 updates in flight at most, so this holds for up to 10 workers, however many runs
 * each has. A failed batch fails every request in it (their activities are retried; the ledger
 * answers a repeated reservation id with its first answer, and ignores a repeated settlement).
 */
export class LedgerBatcher {
  private readonly scopes = new Map<string, ScopeQueue>();

  constructor(
    private readonly send: (budget: SharedBudget, batch: LedgerBatch) => Promise<LedgerBatchResult>,
  ) {}

  reserve(budget: SharedBudget, request: ReserveRequest): Promise<ReserveResult> {
    return new Promise((resolve, reject) => {
      this.queueOf(budget).reserves.push({ request, resolve, reject });
      this.flush(budget.scope);
    });
  }

  settle(budget: SharedBudget, request: SettleRequest): Promise<LedgerSnapshot> {
    return new Promise((resolve, reject) => {
      this.queueOf(budget).settles.push({ request, resolve, reject });
      this.flush(budget.scope);
    });
  }

  private queueOf(budget: SharedBudget): ScopeQueue {
    let queue = this.scopes.get(budget.scope);
    if (!queue) {
      queue = { budget, settles: [], reserves: [], sending: false };
      this.scopes.set(budget.scope, queue);
    }
    // The latest terms start the ledger if it is not running.
    queue.budget = budget;
    return queue;
  }

  private flush(scope: string): void {
    const queue = this.scopes.get(scope);
    if (!queue || queue.sending) return;
    if (queue.settles.length === 0 && queue.reserves.length === 0) {
      this.scopes.delete(scope);
      return;
    }
    const settles = queue.settles.splice(0, maxBatch);
    const reserves = queue.reserves.splice(0, maxBatch - settles.length);
    queue.sending = true;
    this.send(queue.budget, {
      settles: settles.map((waiting) => waiting.request),
      reserves: reserves.map((waiting) => waiting.request),
    })
      .then(
        (result) => {
          settles.forEach((waiting, index) => waiting.resolve(result.settles[index]!));
          reserves.forEach((waiting, index) => waiting.resolve(result.reserves[index]!));
        },
        (error: unknown) => {
          for (const waiting of [...settles, ...reserves]) waiting.reject(error);
        },
      )
      .finally(() => {
        queue.sending = false;
        this.flush(scope);
      });
  }
}
