import { words } from './text';

export interface Snippet {
  text: string;
  /** [start, end) UTF-16 offsets into `text` of each matched word. */
  highlights: [number, number][];
}

const SNIPPET_CHARS = 240;

/** A word matches a query term when they share a stem-ish prefix (FTS uses Porter stemming). */
function matches(word: string, term: string): boolean {
  if (word === term) return true;
  const stem = Math.min(term.length, word.length, Math.max(4, term.length - 2));
  return stem >= 4 && word.slice(0, stem) === term.slice(0, stem);
}

/**
 * The part of `content` around the first match (or its start), with the matched words marked,
 * so the UI highlights what matched without any HTML coming from the core.
 */
export function snippet(content: string, terms: readonly string[]): Snippet {
  const flat = content.replace(/\s+/g, ' ').trim();
  const wordRe = /[\p{L}\p{N}\p{M}]+/gu;
  const hits: [number, number][] = [];
  if (terms.length > 0) {
    for (const m of flat.matchAll(wordRe)) {
      const w = words(m[0])[0] ?? '';
      if (terms.some((t) => matches(w, t))) hits.push([m.index, m.index + m[0].length]);
    }
  }
  let start = 0;
  if (hits.length > 0 && (hits[0]?.[0] ?? 0) > SNIPPET_CHARS / 3) start = Math.max(0, (hits[0]?.[0] ?? 0) - 60);
  // Do not start inside a surrogate pair.
  if (start > 0 && /[\udc00-\udfff]/.test(flat[start] ?? '')) start -= 1;
  let end = Math.min(flat.length, start + SNIPPET_CHARS);
  if (end < flat.length && /[\ud800-\udbff]/.test(flat[end - 1] ?? '')) end -= 1;
  const prefix = start > 0 ? '…' : '';
  const suffix = end < flat.length ? '…' : '';
  const text = `${prefix}${flat.slice(start, end)}${suffix}`;
  const shift = prefix.length - start;
  const highlights = hits.filter(([a, b]) => a >= start && b <= end).map(([a, b]) => [a + shift, b + shift] satisfies [number, number]);
  return { text, highlights };
}
