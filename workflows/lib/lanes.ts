/**
 * Runs `work` over `items` in a fixed number of lanes, each taking the next item when it is free:
 * at most `lanes` items in progress at once, started in order. Deterministic in a workflow.
 */
export async function runInLanes<T>(
  items: readonly T[],
  lanes: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(0, Math.min(lanes, items.length)) }, lane));
}
