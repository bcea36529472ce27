import { describe, expect, it } from 'vitest';
import { batchLoader } from './batch.js';

describe('batchLoader', () => {
  it('loads the keys asked for in one turn together, and later keys in the next batch', async () => {
    const calls: string[][] = [];
    const get = batchLoader(async (keys) => {
      calls.push(keys);
      return new Map(keys.map((k) => [k, k.toUpperCase()]));
    });
    const first = await Promise.all([get('a'), get('b'), get('a')]);
    expect(first).toEqual(['A', 'B', 'A']);
    expect(await get('c')).toBe('C');
    expect(calls).toEqual([['a', 'b'], ['c']]);
  });

  it('passes a failed load on to every caller of that batch only', async () => {
    let fail = true;
    const get = batchLoader(async (keys) => {
      if (fail) throw new Error('db down');
      return new Map(keys.map((k) => [k, 1]));
    });
    const r = await Promise.allSettled([get('x'), get('y')]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await get('x')).toBe(1);
  });
});
