import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { htmlToText, normalizeText, textToHtml } from '../../../core/crm/html';

describe('CRM HTML ↔ plain text', () => {
  it('what Coordinator writes comes back unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '  ', '\n', '\t', '<', '>', '&', '"', "'", '&amp;', '\u00a0', 'é', '😀', '#', ';', '1') }), (text) => {
        expect(htmlToText(textToHtml(text))).toBe(normalizeText(text));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['<p>Hello <strong>world</strong></p>', 'Hello world'],
    ['<p>one</p>\n  <p>two</p>', 'one\n\ntwo'],
    ['line<br/>break<BR>again', 'line\nbreak\nagain'],
    ['<ul><li>a</li><li>b</li></ul>', '- a\n- b'],
    ['<script>alert(1)</script>safe<style>x{}</style>', 'safe'],
    ['<span data-mention-id="4">@Ana Lee</span> please check', '@Ana Lee please check'],
    ['[task_attachment]see file', 'see file'],
    ['caf&eacute; &#8364;5 &#x1F600; &nbsp;x &bogus;', 'café €5 😀  x &bogus;'],
    ['<!-- hidden -->shown', 'shown'],
    ['', ''],
  ])('%j reads as %j', (html, text) => {
    expect(htmlToText(html)).toBe(text);
  });

  it('escapes markup in text', () => {
    expect(textToHtml('<b>5 > 3 & "x"</b>')).toBe('<p>&lt;b&gt;5 &gt; 3 &amp; &quot;x&quot;&lt;/b&gt;</p>');
    expect(textToHtml('  ')).toBe('');
  });
});
