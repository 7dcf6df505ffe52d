import { describe, expect, it } from 'vitest';
import { clip, contentHash, keywords, plainText, summary, taskContent, MAX_CONTENT_CHARS } from '../../../core/memory/text';
import { ftsQuery, queryTerms } from '../../../core/memory/fts-query';
import { snippet } from '../../../core/memory/highlight';

describe('memory text', () => {
  it('cuts long text at a code point boundary, never inside an emoji', () => {
    const text = `${'a'.repeat(9)}😀tail`;
    expect(clip(text, 10)).toBe('a'.repeat(9));
    expect(clip(text, 11)).toBe(`${'a'.repeat(9)}😀`);
    expect(clip('short', 10)).toBe('short');
  });

  it('keeps the words of HTML (Perfex descriptions) and drops scripts', () => {
    expect(plainText('<p>Fix the <b>invoice</b>&nbsp;layout</p><script>alert(1)</script>')).toBe('Fix the invoice layout');
  });

  it('builds task content from title and description and caps it', () => {
    expect(taskContent('Title', 'Body text')).toBe('Title\nBody text');
    expect(taskContent('Title', null)).toBe('Title');
    expect(taskContent('T', 'x'.repeat(200_000)).length).toBe(MAX_CONTENT_CHARS);
  });

  it('extracts frequent meaningful words as keywords, in any script', () => {
    expect(keywords('The invoice layout: the invoice footer overlaps the invoice total on page two')).toEqual(
      expect.arrayContaining(['invoice', 'layout', 'footer']),
    );
    expect(keywords('The invoice layout: the invoice footer')[0]).toBe('invoice');
    expect(keywords('Сверить счета клиентов счета')).toContain('счета');
    expect(keywords('')).toEqual([]);
    expect(keywords('🎉 🎉 ✅')).toEqual([]);
  });

  it('summarises as the first sentence, shortened with an ellipsis', () => {
    expect(summary('First sentence. Second one.')).toBe('First sentence.');
    const long = summary('word '.repeat(100));
    expect([...long].length).toBeLessThanOrEqual(160);
    expect(long.endsWith('…')).toBe(true);
    expect(summary('会議の準備をする。次の文。')).toBe('会議の準備をする。');
  });

  it('hashes text stably', () => {
    expect(contentHash('a')).toBe(contentHash('a'));
    expect(contentHash('a')).not.toBe(contentHash('b'));
  });
});

describe('FTS query building', () => {
  it('quotes every word so FTS5 operators and syntax characters are plain text', () => {
    expect(ftsQuery('invoice "layout')).toBe('"invoice" OR "layout"');
    // "a", "and", "or", "not" are stopwords and dropped; NEAR stays, as a word.
    expect(ftsQuery('NEAR(a b) -x * AND OR NOT')).toBe('"near" OR "b" OR "x"');
    expect(ftsQuery('"*-:()^')).toBeNull();
    expect(ftsQuery('')).toBeNull();
  });

  it('drops stopwords unless nothing else is left', () => {
    expect(ftsQuery('what is the budget')).toBe('"budget"');
    expect(ftsQuery('the of')).toBe('"the" OR "of"');
    expect(queryTerms('who owns the budget')).toEqual(['owns', 'budget']);
  });

  it('keeps non-Latin words', () => {
    expect(ftsQuery('счёт-фактура 発注書')).toBe('"счёт" OR "фактура" OR "発注書"');
  });
});

describe('snippets', () => {
  it('marks the matched words, also in other inflections', () => {
    const s = snippet('The invoices are late again', ['invoice', 'late']);
    expect(s.highlights.map(([a, b]) => s.text.slice(a, b))).toEqual(['invoices', 'late']);
  });

  it('centres on the first match in a long text and keeps offsets right', () => {
    const text = `${'filler '.repeat(100)}the budget spreadsheet ${'more '.repeat(100)}`;
    const s = snippet(text, ['budget']);
    expect(s.text.startsWith('…')).toBe(true);
    const [[a, b]] = s.highlights as [[number, number]];
    expect(s.text.slice(a, b)).toBe('budget');
  });

  it('never splits an emoji at the snippet edge', () => {
    const s = snippet('😀'.repeat(300), []);
    expect(s.text.replace('…', '')).toMatch(/^(?:😀)+$/u);
  });
});
