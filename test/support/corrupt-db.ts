import Database from 'better-sqlite3';
import { closeSync, openSync, writeSync } from 'node:fs';

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
