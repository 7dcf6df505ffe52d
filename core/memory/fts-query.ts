import { STOPWORDS, words } from './text';

const MAX_TERMS = 32;

/**
 * Turns what a person typed into an FTS5 MATCH expression that cannot be a syntax error: every
 * word becomes a quoted string (so `"`, `*`, `-`, `NEAR`, `AND`, `:` and parentheses are plain
 * text), joined with OR so BM25 ranks documents that match more of the words higher. Stopwords
 * are dropped unless they are all there is. Returns null when nothing searchable remains.
 */
export function ftsQuery(text: string): string | null {
  const all = [...new Set(words(text))];
  const meaningful = all.filter((w) => !STOPWORDS.has(w));
  const terms = (meaningful.length > 0 ? meaningful : all).slice(0, MAX_TERMS);
  if (terms.length === 0) return null;
  return terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(' OR ');
}

/** The query's words, for highlighting matches in results. */
export function queryTerms(text: string): string[] {
  const all = [...new Set(words(text))];
  const meaningful = all.filter((w) => !STOPWORDS.has(w));
  return (meaningful.length > 0 ? meaningful : all).slice(0, MAX_TERMS);
}
