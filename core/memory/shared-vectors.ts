import type { CentralVectorStore } from '../sync/central/vectors';
import { blobVector, vectorBlob } from './vectors';

/**
 * Semantic memory's vector exchange through the central database (`memory_vectors`, migration
 * 0011): one vector per model and sha256 of the embedded text, as little-endian float32 (2 KB for
 * 512 dimensions, against ~9 KB as the seed's JSONB array of floats), over either transport
 * (core/sync/central/vectors.ts). A replica on the same model
 * takes what is there instead of embedding; what it embeds itself, it adds. Nothing here is
 * trusted: the indexer checks every vector it takes (see `adoptShared`).
 */
export interface SharedVectors {
  /** The stored vectors of these texts under this model (unverified; missing hashes are absent). */
  fetch(model: string, hashes: readonly string[]): Promise<Map<string, { dimensions: number; vector: Float32Array }>>;
  /** Adds vectors nobody stored yet (an existing one is never rewritten); returns how many were new. */
  share(model: string, entries: readonly { hash: string; vector: Float32Array }[]): Promise<number>;
}

export function centralSharedVectors(store: () => CentralVectorStore): SharedVectors {
  return {
    async fetch(model, hashes) {
      const out = new Map<string, { dimensions: number; vector: Float32Array }>();
      for (const r of await store().fetch(model, hashes)) {
        const blob = Buffer.from(r.vector, 'base64');
        // A blob whose length is not whole float32s is unusable: leave it out (the text gets embedded).
        if (blob.byteLength % 4 !== 0) continue;
        out.set(r.hash, { dimensions: r.dimensions, vector: blobVector(blob) });
      }
      return out;
    },
    share: (model, entries) =>
      store().share(model, entries.map((e) => ({ hash: e.hash, dimensions: e.vector.length, vector: vectorBlob(e.vector).toString('base64') }))),
  };
}
