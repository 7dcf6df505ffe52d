import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * A reader of the SQLite file format that needs nothing but the bytes: when page 1 (the header
 * and sqlite_schema) is damaged, SQLite cannot even list the tables, yet every other page still
 * holds its rows. This walks every table-leaf page (applying the committed part of the WAL on
 * top), follows overflow chains, decodes each record and leaves it to the caller to recognise
 * which table a record belongs to by its shape. Each cell is decoded on its own: a damaged cell
 * costs that row only. Pages on the freelist are skipped — without secure_delete they still
 * hold rows that were deleted (an acknowledged outbox entry must not come back).
 * Format: https://www.sqlite.org/fileformat2.html
 */

export type RecordValue = null | number | bigint | string | Buffer;

export interface PageRecord {
  page: number;
  rowid: bigint;
  values: RecordValue[];
}

export interface PageScan {
  pageSize: number;
  /** Whether the 100-byte header was readable (otherwise the page size was inferred). */
  headerIntact: boolean;
  records: PageRecord[];
  /** Cells that could not be decoded, per page, for the recovery report. */
  damagedCells: number;
  problems: string[];
}

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const TABLE_LEAF = 0x0d;
const BTREE_TYPES = new Set([0x02, 0x05, 0x0a, 0x0d]);
const WAL_MAGIC = new Set([0x377f0682, 0x377f0683]);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A page source over the main file with the WAL's committed frames laid on top. */
interface Pages {
  size: number;
  count: number;
  read(n: number): Buffer | null;
}

/** SQLite's big-endian variable-length integer (1–9 bytes); throws past the end of `buf`. */
export function readVarint(buf: Buffer, offset: number): { value: bigint; length: number } {
  let value = 0n;
  for (let i = 0; i < 8; i += 1) {
    const byte = buf[offset + i];
    if (byte === undefined) throw new RangeError('varint runs past the end');
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) return { value, length: i + 1 };
  }
  const last = buf[offset + 8];
  if (last === undefined) throw new RangeError('varint runs past the end');
  return { value: BigInt.asIntN(64, (value << 8n) | BigInt(last)), length: 9 };
}

function readHeader(first: Buffer): { pageSize: number; reserved: number; freelistTrunk: number } | null {
  if (first.length < 100 || !first.subarray(0, 16).equals(MAGIC)) return null;
  const raw = first.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return null;
  return { pageSize, reserved: first[20] ?? 0, freelistTrunk: first.readUInt32BE(32) };
}

function looksLikeBtreePage(page: Buffer, offset: number, pageSize: number): boolean {
  const type = page[offset];
  if (type === undefined || !BTREE_TYPES.has(type) || page.length < offset + 12) return false;
  const cells = page.readUInt16BE(offset + 3);
  const contentStart = page.readUInt16BE(offset + 5) || 65536;
  const headerEnd = offset + (type === TABLE_LEAF || type === 0x0a ? 8 : 12) + cells * 2;
  return headerEnd <= contentStart && contentStart <= pageSize && page[offset + 7]! <= 60;
}

/** Pages of `size` bytes from the main file (the first `limit` of them), the WAL's on top. */
function pagesOf(fd: number, fileSize: number, size: number, wal: Map<number, Buffer>, limit = Number.MAX_SAFE_INTEGER): Pages {
  const onDisk = Math.min(Math.floor(fileSize / size), limit);
  return {
    size,
    count: Math.max(onDisk, ...[...wal.keys()].filter((n) => n <= limit)),
    read(n) {
      const fromWal = n <= limit ? wal.get(n) : undefined;
      if (fromWal) return fromWal;
      if (n < 1 || n > onDisk) return null;
      const buf = Buffer.alloc(size);
      return readSync(fd, buf, 0, size, (n - 1) * size) === size ? buf : null;
    },
  };
}

const PROBE_BYTES = 16 * 1024 * 1024;

/**
 * Without a header (and without a WAL, whose header also says), the page size is the one at which
 * the most records decode in the same leading stretch of the file: a size too large skips pages
 * and breaks overflow chains, a size too small cuts pages in half.
 */
function inferPageSize(fd: number, fileSize: number): number {
  let best = { size: 4096, records: 0 };
  for (let size = 512; size <= 65536; size *= 2) {
    if (fileSize < size * 2) break;
    const pages = pagesOf(fd, fileSize, size, new Map(), Math.max(2, Math.floor(PROBE_BYTES / size)));
    const probe: PageScan = { pageSize: size, headerIntact: false, records: [], damagedCells: 0, problems: [] };
    for (let n = 2; n <= pages.count; n += 1) {
      const page = pages.read(n);
      if (page) leafRecords(pages, n, page, size, probe);
    }
    if (probe.records.length > best.records) best = { size, records: probe.records.length };
  }
  return best.size;
}

/** The committed frames of a WAL whose salts match its header; later frames win. */
function walFrames(file: string, pageSize: number): Map<number, Buffer> {
  const committed = new Map<number, Buffer>();
  if (!existsSync(file)) return committed;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const header = Buffer.alloc(32);
    if (size < 32 || readSync(fd, header, 0, 32, 0) < 32 || !WAL_MAGIC.has(header.readUInt32BE(0))) return committed;
    if (header.readUInt32BE(8) !== pageSize) return committed;
    const salt = header.subarray(16, 24);
    const uncommitted = new Map<number, Buffer>();
    const frame = Buffer.alloc(24);
    for (let at = 32; at + 24 + pageSize <= size; at += 24 + pageSize) {
      readSync(fd, frame, 0, 24, at);
      if (!frame.subarray(8, 16).equals(salt)) break;
      const page = Buffer.alloc(pageSize);
      readSync(fd, page, 0, pageSize, at + 24);
      uncommitted.set(frame.readUInt32BE(0), page);
      if (frame.readUInt32BE(4) !== 0) {
        for (const [n, p] of uncommitted) committed.set(n, p);
        uncommitted.clear();
      }
    }
  } finally {
    closeSync(fd);
  }
  return committed;
}

/**
 * Freelist trunk pages: from the header when it is intact; otherwise recognised by shape (a
 * next-trunk pointer and a count of leaf page numbers, all within the file — a b-tree page
 * never starts with a zero byte, a trunk in a file under 16M pages always does).
 */
function freePages(pages: Pages, trunkFromHeader: number | null): Set<number> {
  const free = new Set<number>();
  const perTrunk = pages.size / 4 - 2;
  const leavesOf = (page: Buffer): number[] | null => {
    const next = page.readUInt32BE(0);
    const count = page.readUInt32BE(4);
    if (next > pages.count || count > perTrunk) return null;
    const leaves: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const leaf = page.readUInt32BE(8 + i * 4);
      if (leaf < 2 || leaf > pages.count) return null;
      leaves.push(leaf);
    }
    return leaves;
  };
  if (trunkFromHeader !== null) {
    for (let trunk = trunkFromHeader; trunk !== 0 && !free.has(trunk); ) {
      const page = pages.read(trunk);
      const leaves = page ? leavesOf(page) : null;
      if (!page || !leaves) break;
      free.add(trunk);
      for (const leaf of leaves) free.add(leaf);
      trunk = page.readUInt32BE(0);
    }
    return free;
  }
  for (let n = 2; n <= pages.count; n += 1) {
    const page = pages.read(n);
    if (!page || page[0] !== 0) continue;
    const leaves = leavesOf(page);
    if (leaves && leaves.length > 0) for (const leaf of leaves) free.add(leaf);
  }
  return free;
}

function decodeValue(serial: bigint, body: Buffer, at: number): { value: RecordValue; length: number } {
  const need = (n: number) => {
    if (at + n > body.length) throw new RangeError('value runs past the record');
  };
  const intOf = (n: number): RecordValue => {
    need(n);
    let v = 0n;
    for (let i = 0; i < n; i += 1) v = (v << 8n) | BigInt(body[at + i]!);
    const signed = BigInt.asIntN(n * 8, v);
    return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : signed;
  };
  switch (serial) {
    case 0n:
      return { value: null, length: 0 };
    case 1n:
    case 2n:
    case 3n:
    case 4n:
      return { value: intOf(Number(serial)), length: Number(serial) };
    case 5n:
      return { value: intOf(6), length: 6 };
    case 6n:
      return { value: intOf(8), length: 8 };
    case 7n:
      need(8);
      return { value: body.readDoubleBE(at), length: 8 };
    case 8n:
      return { value: 0, length: 0 };
    case 9n:
      return { value: 1, length: 0 };
    case 10n:
    case 11n:
      throw new RangeError('reserved serial type');
    default: {
      const length = Number((serial - 12n) / 2n);
      need(length);
      const bytes = body.subarray(at, at + length);
      return { value: serial % 2n === 0n ? Buffer.from(bytes) : utf8.decode(bytes), length };
    }
  }
}

/** A record (header of serial types, then the values) into its values. */
export function decodeRecord(payload: Buffer): RecordValue[] {
  const { value: headerSize, length } = readVarint(payload, 0);
  if (headerSize < BigInt(length) || headerSize > BigInt(payload.length)) throw new RangeError('record header size out of range');
  const serials: bigint[] = [];
  for (let at = length; at < Number(headerSize); ) {
    const v = readVarint(payload, at);
    serials.push(v.value);
    at += v.length;
    if (at > Number(headerSize)) throw new RangeError('serial types run past the header');
  }
  const values: RecordValue[] = [];
  let at = Number(headerSize);
  for (const serial of serials) {
    const decoded = decodeValue(serial, payload, at);
    values.push(decoded.value);
    at += decoded.length;
  }
  if (at !== payload.length) throw new RangeError('record length does not match its payload');
  return values;
}

/** The whole payload of a table-leaf cell, following its overflow chain when it spills. */
function cellPayload(pages: Pages, page: Buffer, cellAt: number, usable: number): { rowid: bigint; payload: Buffer } {
  const size = readVarint(page, cellAt);
  const rowid = readVarint(page, cellAt + size.length);
  const total = Number(size.value);
  if (total < 1 || total > 1_000_000_000) throw new RangeError('payload size out of range');
  const start = cellAt + size.length + rowid.length;
  const maxLocal = usable - 35;
  if (total <= maxLocal) {
    if (start + total > page.length) throw new RangeError('cell runs past the page');
    return { rowid: rowid.value, payload: page.subarray(start, start + total) };
  }
  const minLocal = Math.floor(((usable - 12) * 32) / 255) - 23;
  const k = minLocal + ((total - minLocal) % (usable - 4));
  const local = k <= maxLocal ? k : minLocal;
  if (start + local + 4 > page.length) throw new RangeError('cell runs past the page');
  const parts = [page.subarray(start, start + local)];
  let remaining = total - local;
  const seen = new Set<number>();
  for (let next = page.readUInt32BE(start + local); remaining > 0; ) {
    if (next < 2 || next > pages.count || seen.has(next)) throw new RangeError(`broken overflow chain at page ${next}`);
    seen.add(next);
    const overflow = pages.read(next);
    if (!overflow) throw new RangeError(`overflow page ${next} is missing`);
    const take = Math.min(remaining, usable - 4);
    parts.push(overflow.subarray(4, 4 + take));
    remaining -= take;
    next = overflow.readUInt32BE(0);
  }
  return { rowid: rowid.value, payload: Buffer.concat(parts) };
}

function leafRecords(pages: Pages, n: number, page: Buffer, usable: number, out: PageScan, keep: (record: PageRecord) => boolean = () => true): void {
  const offset = n === 1 ? 100 : 0;
  if (page[offset] !== TABLE_LEAF || !looksLikeBtreePage(page, offset, pages.size)) return;
  const cells = page.readUInt16BE(offset + 3);
  for (let i = 0; i < cells; i += 1) {
    try {
      const pointer = page.readUInt16BE(offset + 8 + i * 2);
      if (pointer < offset + 8 + cells * 2 || pointer >= usable) throw new RangeError('cell pointer out of range');
      const { rowid, payload } = cellPayload(pages, page, pointer, usable);
      const record = { page: n, rowid, values: decodeRecord(payload) };
      if (keep(record)) out.records.push(record);
    } catch {
      out.damagedCells += 1;
    }
  }
}

/**
 * Every row of every table b-tree leaf in a SQLite file (and its `-wal`) that still decodes;
 * `keep` lets the caller hold only the records it may want (a replica can be large).
 */
export function scanTableRecords(file: string, keep?: (record: PageRecord) => boolean): PageScan {
  const fd = openSync(file, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    const first = Buffer.alloc(100);
    readSync(fd, first, 0, 100, 0);
    const mainHeader = readHeader(first);
    const walFile = `${file}-wal`;
    const walPageSize = (() => {
      if (!existsSync(walFile)) return null;
      const wfd = openSync(walFile, 'r');
      try {
        const h = Buffer.alloc(12);
        return readSync(wfd, h, 0, 12, 0) === 12 && WAL_MAGIC.has(h.readUInt32BE(0)) ? h.readUInt32BE(8) : null;
      } finally {
        closeSync(wfd);
      }
    })();
    const size = mainHeader?.pageSize ?? walPageSize ?? inferPageSize(fd, fileSize);
    const wal = walFrames(walFile, size);
    // The newest page 1 (its freelist above all) is the WAL's when it has one.
    const walFirst = wal.get(1);
    const header = (walFirst ? readHeader(walFirst) : null) ?? mainHeader;
    const pages = pagesOf(fd, fileSize, size, wal);
    const count = pages.count;
    const scan: PageScan = { pageSize: size, headerIntact: header !== null, records: [], damagedCells: 0, problems: [] };
    if (!header) scan.problems.push(`the database header is damaged; pages read as ${size} bytes`);
    const free = freePages(pages, header ? header.freelistTrunk : null);
    const usable = size - (header?.reserved ?? 0);
    for (let n = 1; n <= count; n += 1) {
      if (free.has(n)) continue;
      const page = pages.read(n);
      if (page) leafRecords(pages, n, page, usable, scan, keep);
    }
    if (fileSize % size !== 0) scan.problems.push(`the file ends mid-page (${fileSize} bytes); it was truncated`);
    return scan;
  } finally {
    closeSync(fd);
  }
}
