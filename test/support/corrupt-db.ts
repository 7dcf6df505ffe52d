import Database from 'better-sqlite3';
import { closeSync, openSync, readSync, truncateSync, writeSync } from 'node:fs';

/**
 * Damages a closed SQLite file the way a failing disk does: the pages holding one table's rows
 * (or one index) are overwritten with garbage. Returns the page numbers it destroyed. The file
 * must have been closed cleanly first, so nothing of it lives in a WAL.
 */
export function corruptPagesOf(file: string, btree: string, options: { pageTypes?: ('leaf' | 'internal' | 'overflow')[]; limit?: number } = {}): number[] {
  const db = new Database(file, { readonly: true });
  let pages: number[];
  let pageSize: number;
  try {
    const types = options.pageTypes ?? ['leaf'];
    pages = (db.prepare(`SELECT pageno FROM dbstat WHERE name = ? AND pagetype IN (${types.map(() => '?').join(', ')}) ORDER BY pageno`).pluck().all(btree, ...types) as number[]).slice(
      0,
      options.limit ?? Number.MAX_SAFE_INTEGER,
    );
    pageSize = db.pragma('page_size', { simple: true }) as number;
  } finally {
    db.close();
  }
  if (pages.length === 0) throw new Error(`no ${btree} pages to corrupt`);
  const fd = openSync(file, 'r+');
  try {
    for (const page of pages) writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
  return pages;
}

/** Overwrites the 100-byte header: the file no longer opens as a database at all. */
export function destroyHeader(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(100, 0x42), 0, 100, 0);
  } finally {
    closeSync(fd);
  }
}

/** Page size and the pages of each b-tree, read while the file is still healthy. */
export function pageMap(file: string): { pageSize: number; pages: number; owner: Map<number, string>; leaves: { name: string; pageno: number; ncell: number }[] } {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT name, pageno, pagetype, ncell FROM dbstat').all() as { name: string; pageno: number; pagetype: string; ncell: number }[];
    return {
      pageSize: db.pragma('page_size', { simple: true }) as number,
      pages: db.pragma('page_count', { simple: true }) as number,
      owner: new Map(rows.map((r) => [r.pageno, r.name])),
      leaves: rows.filter((r) => r.pagetype === 'leaf').map(({ name, pageno, ncell }) => ({ name, pageno, ncell })),
    };
  } finally {
    db.close();
  }
}

function overwrite(file: string, offset: number, bytes: Buffer): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

/** Zeroes page 1 whole: the header and the root of sqlite_schema are gone. */
export function zeroFirstPage(file: string): void {
  overwrite(file, 0, Buffer.alloc(pageMap(file).pageSize, 0));
}

/** Garbles every sqlite_schema page past the 100-byte header: the file opens, no table is found. */
export function corruptSchemaPages(file: string): number[] {
  const { pageSize, owner } = pageMap(file);
  const pages = [...owner].filter(([, name]) => name === 'sqlite_schema').map(([n]) => n);
  for (const n of pages) {
    const start = n === 1 ? 100 : 0;
    overwrite(file, (n - 1) * pageSize + start, Buffer.alloc(pageSize - start, 0x5a));
  }
  return pages;
}

/** Cuts the file mid-way through `btree`: in the middle of its middle page, losing all after. */
export function truncateMidTable(file: string, btree: string): { pageSize: number; lostFrom: number } {
  const { pageSize, owner } = pageMap(file);
  const pages = [...owner].filter(([, name]) => name === btree).map(([n]) => n).sort((a, b) => a - b);
  const cut = pages[Math.floor(pages.length / 2)]!;
  truncateSync(file, (cut - 1) * pageSize + pageSize / 2);
  return { pageSize, lostFrom: cut };
}

/** Flips `count` random bytes (seeded, so a failure replays) in pages owned by none of `spared`. */
export function flipBytesOutside(file: string, spared: string[], count: number, seed: number): number[] {
  const { pageSize, pages, owner } = pageMap(file);
  const targets = Array.from({ length: pages }, (_, i) => i + 1).filter((n) => !spared.includes(owner.get(n) ?? ''));
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const fd = openSync(file, 'r+');
  const hit = new Set<number>();
  try {
    for (let i = 0; i < count; i += 1) {
      const page = targets[Math.floor(next() * targets.length)]!;
      const offset = (page - 1) * pageSize + Math.floor(next() * pageSize);
      const byte = Buffer.alloc(1);
      readSync(fd, byte, 0, 1, offset);
      byte[0] = byte[0]! ^ (1 + Math.floor(next() * 255));
      writeSync(fd, byte, 0, 1, offset);
      hit.add(page);
    }
  } finally {
    closeSync(fd);
  }
  return [...hit].sort((a, b) => a - b);
}
