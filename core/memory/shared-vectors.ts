import type { Queryable } from '../sync/central/connect';
import { blobVector, vectorBlob } from './vectors';

/**
 * Semantic memory's vector exchange through the central database (`memory_vectors`, migration
 * 0011): one vector per model and sha256 of the embedded text, as little-endian float32 (2 KB for
 * 512 dimensions, against ~9 KB as the seed's JSONB array of floats). A replica on the same model
 * takes what is there instead of embedding; what it embeds itself, it adds. Nothing here is
 * trusted: the indexer checks every vector it takes (see `adoptShared`).
 */
export interface SharedVectors {
  /** The stored vectors of these texts under this model (unverified; missing hashes are absent). */
  fetch(model: string, hashes: readonly string[]): Promise<Map<string, { dimensions: number; vector: Float32Array }>>;
  /** Adds vectors nobody stored yet (an existing one is never rewritten); returns how many were new. */
  share(model: string, entries: readonly { hash: string; vector: Float32Array }[]): Promise<number>;
}

export function centralSharedVectors(db: () => Queryable): SharedVectors {
  return {
    async fetch(model, hashes) {
      const out = new Map<string, { dimensions: number; vector: Float32Array }>();
      if (hashes.length === 0) return out;
      // base64 on the wire: the text protocol would send bytea as hex, twice the stored size.
      const { rows } = await db().query<{ content_hash: string; dimensions: number; vector: string }>(
        `SELECT content_hash, dimensions, encode(vector, 'base64') AS vector FROM memory_vectors WHERE model = $1 AND content_hash = ANY($2::text[])`,
        [model, hashes],
      );
      for (const r of rows) {
        const blob = Buffer.from(r.vector, 'base64');
        // A blob whose length is not whole float32s is unusable: leave it out (the text gets embedded).
        if (blob.byteLength % 4 !== 0) continue;
        out.set(r.content_hash, { dimensions: Number(r.dimensions), vector: blobVector(blob) });
      }
      return out;
    },
    async share(model, entries) {
      if (entries.length === 0) return 0;
      const { rowCount } = await db().query(
        `INSERT INTO memory_vectors (model, content_hash, dimensions, vector)
         SELECT $1, u.h, u.d, u.v FROM unnest($2::text[], $3::int[], $4::bytea[]) AS u(h, d, v)
         ON CONFLICT (model, content_hash) DO NOTHING`,
        [model, entries.map((e) => e.hash), entries.map((e) => e.vector.length), entries.map((e) => vectorBlob(e.vector))],
      );
      return rowCount ?? 0;
    },
  };
}
