import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedSlots } from '../../activities/budget/keyed-slots.js';

void describe('keyed slots', () => {
  void it('runs at most N at once per key, starting the rest in the order they came', async () => {
    const slots = new KeyedSlots(4);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const work = (index: number) => async () => {
      started.push(index);
      running += 1;
      most = Math.max(most, running);
      await sleep(5);
      running -= 1;
      return index;
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) => slots.run('scope', work(index))),
    );
    assert.deepEqual(
      results,
      Array.from({ length: 20 }, (_, index) => index),
    );
    assert.equal(most, 4);
    assert.deepEqual(
      started,
      Array.from({ length: 20 }, (_, index) => index),
    );
  });

  void it('keeps keys apart, and frees a slot when the work fails', async () => {
    const slots = new KeyedSlots(1);
    await assert.rejects(
      slots.run('a', () => Promise.reject(new Error('failed'))),
      /failed/,
    );
    const order: string[] = [];
    await Promise.all([
      slots.run('a', async () => {
        await sleep(10);
        order.push('a');
      }),
      slots.run('b', () => {
        order.push('b');
        return Promise.resolve();
      }),
    ]);
    assert.deepEqual(order, ['b', 'a'], 'b did not wait for a');
  });
});
