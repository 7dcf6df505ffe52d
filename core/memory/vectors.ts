import { AppError } from '../common/errors';

/**
 * Vectors as the index stores them: Float32, finite, of the model's dimension, L2-normalised (so
 * cosine similarity is a dot product and the sign bits are comparable). Anything else is refused
 * here, before it can reach sqlite-vec, which would store a NaN without complaint.
 */
export function checkVector(values: ArrayLike<number>, dimensions: number, what = 'vector'): Float32Array {
  if (values.length !== dimensions) {
    throw new AppError('VALIDATION', `The ${what} has ${values.length} dimensions; the model's index expects ${dimensions}`);
  }
  const out = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i += 1) {
    const v = Number(values[i]);
    if (!Number.isFinite(v)) throw new AppError('VALIDATION', `The ${what} holds a non-finite value (${String(v)}) at position ${i}`);
    out[i] = v;
    norm += v * v;
  }
  if (norm === 0) throw new AppError('VALIDATION', `The ${what} is all zeros and has no direction to compare`);
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < dimensions; i += 1) out[i] = (out[i] ?? 0) * scale;
  return out;
}

/** The bytes sqlite-vec reads for a float[N] column. */
export const vectorBlob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

export function blobVector(blob: Buffer): Float32Array {
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float32Array(copy.buffer);
}

/** Dot product (the cosine of two unit vectors). */
export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}
