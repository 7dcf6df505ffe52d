import { createHash } from 'node:crypto';

/**
 * The text side of memory: what a source's memory says, its keywords and summary, and the safe
 * limits every text is held to.
 */

/** A memory's stored content is cut here (a task's 100k-character description plus its title fits). */
export const MAX_CONTENT_CHARS = 101_000;
/** Free notes longer than this are refused rather than silently cut: a person typed them. */
export const MAX_NOTE_CHARS = 100_000;
/** Only the start of a long text is embedded: sentence encoders read a few hundred words at most. */
export const MAX_EMBED_CHARS = 2_000;
export const MAX_KEYWORDS = 8;
export const MAX_SUMMARY_CHARS = 160;

/** Cuts at a code point boundary, never inside a surrogate pair (emoji stay whole). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

/** Perfex and pasted text carry HTML; memory keeps the words. */
export function plainText(text: string): string {
  return text
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
}

export function taskContent(title: string, description: string | null): string {
  const body = description ? plainText(description) : '';
  return clip(body ? `${plainText(title)}\n${body}` : plainText(title), MAX_CONTENT_CHARS);
}

export function projectContent(name: string, description: string | null): string {
  return taskContent(name, description);
}

export const commentContent = (content: string): string => clip(plainText(content), MAX_CONTENT_CHARS);

export const STOPWORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by can could did do does doing ' +
    'down during each few for from further had has have having he her here hers him his how i if in into is it its itself just me more most my no nor ' +
    'not now of off on once only or other our ours out over own same she should so some such than that the their theirs them then there these they ' +
    'this those through to too under until up very was we were what when where which while who whom why will with would you your yours also get got ' +
    'need needs please via per let us still one two'
  ).split(' '),
);

/** Words as FTS5's unicode61 tokenizer sees them: runs of letters, digits and marks. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
}

/** The most frequent meaningful words, first occurrence breaking ties. */
export function keywords(text: string, max = MAX_KEYWORDS): string[] {
  const counts = new Map<string, number>();
  for (const word of words(clip(text, 20_000))) {
    if (STOPWORDS.has(word) || [...word].length < 3 || /^\d+$/.test(word)) continue;
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, max)
    .map(([word]) => word);
}

/** The first sentence (or line), at most MAX_SUMMARY_CHARS, with an ellipsis when cut. */
export function summary(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  // Latin sentences end at punctuation followed by a space; CJK full stops need no space.
  const sentence = /^(.+?(?:[.!?](?=\s|$)|[。！？]))/u.exec(flat)?.[1] ?? flat;
  const chars = [...sentence];
  return chars.length <= MAX_SUMMARY_CHARS ? sentence : `${chars.slice(0, MAX_SUMMARY_CHARS - 1).join('').trimEnd()}…`;
}

/** What is embedded for a memory: the start of its content (the model's input cap). */
export const embeddingInput = (content: string): string => clip(content, MAX_EMBED_CHARS);

export const contentHash = (text: string): string => createHash('sha256').update(text).digest('hex');
