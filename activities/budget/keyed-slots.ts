/**
 * At most `slots` pieces of work at once per key, the rest waiting in the order they came: how a
 * worker keeps its updates to one workflow within the server's limit on updates in flight.
 */
export class KeyedSlots {
  private readonly queues = new Map<string, { running: number; waiting: (() => void)[] }>();

  constructor(private readonly slots: number) {}

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { running: 0, waiting: [] };
      this.queues.set(key, queue);
    }
    if (queue.running >= this.slots) await new Promise<void>((resolve) => queue.waiting.push(resolve));
    else queue.running += 1;
    try {
      return await work();
    } finally {
      const next = queue.waiting.shift();
      // The slot passes straight to the next in line; with none waiting, it is freed.
      if (next) next();
      else {
        queue.running -= 1;
        if (queue.running === 0) this.queues.delete(key);
      }
    }
  }
}
