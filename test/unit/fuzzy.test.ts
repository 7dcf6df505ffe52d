import { describe, expect, it } from 'vitest';
import { fuzzyRank, fuzzyScore } from '../../renderer/src/components/palette/fuzzy';

describe('palette fuzzy scorer', () => {
  it('matches characters in order, case-insensitively, and refuses otherwise', () => {
    expect(fuzzyScore('inv', 'Check Invoice layout')).not.toBeNull();
    expect(fuzzyScore('ivn', 'Invoice')).toBeNull();
    expect(fuzzyScore('xyz', 'Invoice')).toBeNull();
    expect(fuzzyScore('', 'anything')).toEqual({ score: 0, indices: [] });
  });

  it('ranks word-start abbreviations and exact substrings above scattered matches', () => {
    const titles = ['Prepare vendor list', 'Review invoice layout', 'Invoice review meeting', 'Print receipts'];
    expect(fuzzyRank('ir', titles, (t) => t, 10)[0]!.item).toBe('Invoice review meeting');
    expect(fuzzyRank('invoice', titles, (t) => t, 10).map((r) => r.item)).toEqual(['Invoice review meeting', 'Review invoice layout']);
    expect(fuzzyRank('layout invoice', titles, (t) => t, 10).map((r) => r.item)).toEqual(['Review invoice layout']);
  });

  it('returns the matched positions for highlighting', () => {
    const m = fuzzyScore('nt', 'New task')!;
    expect(m.indices.map((i) => 'New task'[i])).toEqual(['N', 't']);
    expect(fuzzyScore('task', 'New task')!.indices).toEqual([4, 5, 6, 7]);
  });

  it('keeps the limit and the original order for ties', () => {
    const items = ['abc one', 'abc two', 'abc three'];
    expect(fuzzyRank('abc', items, (t) => t, 2).map((r) => r.item)).toEqual(['abc one', 'abc two']);
  });
});
