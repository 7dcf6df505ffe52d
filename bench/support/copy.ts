import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { ColumnSpec } from '../../core/sync/columns';

/**
 * The raw read path: `COPY (SELECT …) TO STDOUT` run by `psql` as a child process (node-pg has no
 * COPY TO without pg-copy-streams, which is not installed), parsed line by line as it streams in.
 * The SELECT renders each column in the replica's representation on the server (ISO UTC
 * timestamps with milliseconds, booleans as 0/1), so rows can be bound to SQLite as they come.
 */
export function localSelectList(columns: ColumnSpec[]): string {
  return columns
    .map((c) => {
      const q = `"${c.name}"`;
      if (c.kind === 'timestamp') return `to_char(${q} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
      if (c.kind === 'boolean') return `${q}::int`;
      return q;
    })
    .join(', ');
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** Undoes COPY text-format escaping (only called for fields that contain a backslash). */
function unescapeCopy(field: string): string {
  return field.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, seq: string) => {
    if (seq[0] === 'x') return String.fromCharCode(parseInt(seq.slice(1), 16));
    if (/^[0-7]/.test(seq)) return String.fromCharCode(parseInt(seq, 8));
    return ESCAPES[seq] ?? seq;
  });
}

function converter(kind: ColumnSpec['kind']): (field: string) => string | number | null {
  const numeric = kind === 'integer' || kind === 'real' || kind === 'boolean';
  return (field) => {
    if (field === '\\N') return null;
    const text = field.includes('\\') ? unescapeCopy(field) : field;
    return numeric ? Number(text) : text;
  };
}

/**
 * Streams `COPY (SELECT <columns> FROM <table> [WHERE …]) TO STDOUT` from psql and hands every
 * parsed row to `onRow`, synchronously as chunks arrive. Resolves with the row count.
 */
export function psqlCopy(url: string, table: string, columns: ColumnSpec[], onRow: (values: (string | number | null)[]) => void, where = ''): Promise<number> {
  const sql = `COPY (SELECT ${localSelectList(columns)} FROM "${table}" ${where}) TO STDOUT`;
  const convert = columns.map((c) => converter(c.kind));
  return new Promise((resolve, reject) => {
    const child = spawn('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], { stdio: ['ignore', 'pipe', 'pipe'] });
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let count = 0;
    let stderr = '';
    let failed: unknown = null;
    const handleLines = (text: string) => {
      const lines = (rest + text).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const fields = line.split('\t');
        onRow(fields.map((f, i) => (convert[i] as (f: string) => string | number | null)(f)));
        count += 1;
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        handleLines(decoder.write(chunk));
      } catch (error) {
        failed = error;
        child.kill();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (failed) return reject(failed);
      if (code !== 0) return reject(new Error(`psql exited with ${code}: ${stderr.trim()}`));
      try {
        handleLines(decoder.end());
        if (rest.length > 0) handleLines('\n');
      } catch (error) {
        return reject(error);
      }
      resolve(count);
    });
  });
}
