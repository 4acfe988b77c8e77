import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Lanes } from '../../workflows/lib/lanes.js';

/** Work that finishes when the test says, so the lanes in use can be counted at each point. */
function gatedWork() {
  const gates: Array<() => void> = [];
  let inFlight = 0;
  let peak = 0;
  const done: number[] = [];
  const work = async (item: number) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    await new Promise<void>((resolve) => gates.push(resolve));
    inFlight -= 1;
    done.push(item);
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { work, gates, done, settle, inFlight: () => inFlight, peak: () => peak };
}

void describe('Lanes', () => {
  void it('runs at most as many items at once as it has lanes, in order', async () => {
    const gated = gatedWork();
    const running = new Lanes(2).run([1, 2, 3, 4, 5], gated.work);
    await gated.settle();
    assert.equal(gated.inFlight(), 2);
    while (gated.done.length < 5) {
      gated.gates.shift()?.();
      await gated.settle();
    }
    await running;
    assert.equal(gated.peak(), 2);
    assert.deepEqual(gated.done, [1, 2, 3, 4, 5]);
  });

  void it('takes lanes added while it runs, and waits for them', async () => {
    const gated = gatedWork();
    const lanes = new Lanes(1);
    const running = lanes.run([1, 2, 3, 4, 5, 6], gated.work);
    await gated.settle();
    assert.equal(gated.inFlight(), 1);
    lanes.add(2);
    await gated.settle();
    assert.equal(gated.inFlight(), 3, 'two more items started at once');
    let finished = false;
    void running.then(() => (finished = true));
    while (gated.done.length < 6) {
      assert.equal(finished, false);
      gated.gates.shift()?.();
      await gated.settle();
    }
    await running;
    assert.equal(gated.peak(), 3);
    assert.deepEqual([...gated.done].sort(), [1, 2, 3, 4, 5, 6]);
  });

  void it('starts no lane beyond the items left, and fails as the first failing item does', async () => {
    const lanes = new Lanes(1);
    await assert.rejects(
      lanes.run([1, 2], async (item) => {
        lanes.add(5);
        await Promise.resolve();
        if (item === 2) throw new Error('item 2 failed');
      }),
      /item 2 failed/,
    );
  });
});
