/**
 * A number of lanes that run work over a list, each taking the next item when it is free: at
 * most that many items in progress at once, started in order. More lanes may be added while the
 * work runs (`add`): each takes items from the same list. Deterministic in a workflow.
 */
export class Lanes {
  /** Starts more lanes over the list being worked on; unset when nothing runs. */
  private grow: ((count: number) => void) | undefined;

  constructor(private count: number) {}

  /** How many lanes there are: at most that many items in progress at once. */
  get width(): number {
    return this.count;
  }

  /** Adds lanes: to the work running now, or to the next `run`. */
  add(count: number): void {
    this.count += count;
    this.grow?.(count);
  }

  /** Runs `work` over `items`, in as many lanes as there are (and as are added meanwhile). */
  async run<T>(items: readonly T[], work: (item: T, index: number) => Promise<void>): Promise<void> {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < items.length) {
        const index = next;
        next += 1;
        await work(items[index]!, index);
      }
    };
    const running: Promise<void>[] = [];
    this.grow = (count) => {
      for (let added = 0; added < count && next < items.length; added += 1) {
        const started = lane();
        // Handled here too: a lane added after a failure ended the wait must not go unhandled.
        started.catch(() => {});
        running.push(started);
      }
    };
    this.grow(Math.max(0, this.count));
    try {
      // Lanes added while these run are awaited too; the first failure ends the wait, as Promise.all.
      for (let awaited = 0; awaited < running.length;) {
        const batch = running.slice(awaited);
        awaited = running.length;
        await Promise.all(batch);
      }
    } finally {
      this.grow = undefined;
    }
  }
}

/** Runs `work` over `items` in `lanes` lanes (see `Lanes`). */
export function runInLanes<T>(
  items: readonly T[],
  lanes: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  return new Lanes(lanes).run(items, work);
}
