import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../core/common/errors';
import { sqliteVecPath } from '../../../core/database/open';
import { BinaryIndex } from '../../../core/memory/binary-index';
import { signBits } from '../../../core/memory/store';
import { checkVector, vectorBlob } from '../../../core/memory/vectors';

const rand = (n: number, seed: number) => {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  });
};

describe('vector checks', () => {
  it('refuses a vector of the wrong dimension with a clear error', () => {
    expect(() => checkVector([1, 2, 3], 512)).toThrow(AppError);
    expect(() => checkVector([1, 2, 3], 512)).toThrow(/has 3 dimensions; the model's index expects 512/);
  });

  it('refuses NaN and infinities, naming the position', () => {
    expect(() => checkVector([1, Number.NaN, 0, 0], 4)).toThrow(/non-finite value \(NaN\) at position 1/);
    expect(() => checkVector([Number.POSITIVE_INFINITY, 0, 0, 0], 4)).toThrow(/non-finite/);
  });

  it('refuses the zero vector and normalises the rest', () => {
    expect(() => checkVector([0, 0, 0, 0], 4)).toThrow(/all zeros/);
    const v = checkVector([3, 4, 0, 0], 4);
    expect(Array.from(v)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0]);
  });
});

describe('sign bits and the Hamming index', () => {
  it('packs bits exactly as sqlite-vec vec_quantize_binary does', () => {
    const db = new Database(':memory:');
    db.loadExtension(sqliteVecPath());
    for (let seed = 1; seed < 20; seed += 1) {
      const v = new Float32Array(rand(512, seed));
      const theirs = (db.prepare('SELECT vec_quantize_binary(?) AS b').get(vectorBlob(v)) as { b: Buffer }).b;
      expect(Buffer.from(signBits(v))).toEqual(theirs);
    }
    db.close();
  });

  it('returns the nearest codes under filters and survives deletes (slot reuse)', () => {
    const index = new BinaryIndex(64);
    const vectors = Array.from({ length: 200 }, (_, i) => new Float32Array(rand(64, i + 1)));
    vectors.forEach((v, i) =>
      index.set(i + 1, signBits(v), { contentType: i % 2 === 0 ? 'task' : 'note', projectId: i < 100 ? 'p1' : '', createdAt: `2026-01-${String((i % 28) + 1).padStart(2, '0')}` }),
    );
    expect(index.count).toBe(200);
    const query = signBits(vectors[10] as Float32Array);
    expect(index.candidates(query, 1)).toContain(11);
    expect(index.candidates(query, 5, { types: ['note'] }).every((k) => (k - 1) % 2 === 1)).toBe(true);
    expect(index.candidates(query, 5, { projectId: 'p1' }).every((k) => k <= 100)).toBe(true);
    expect(index.candidates(query, 5, { projectId: 'nope' })).toEqual([]);
    expect(index.candidates(query, 300, { from: '2026-01-10', toExclusive: '2026-01-11' }).every((k) => (k - 1) % 28 === 9)).toBe(true);
    index.delete(11);
    index.delete(200);
    expect(index.count).toBe(198);
    expect(index.candidates(query, 1)).not.toContain(11);
    // The row moved into the freed slot is still found by its own code.
    expect(index.candidates(signBits(vectors[198] as Float32Array), 1)).toContain(199);
  });
});
