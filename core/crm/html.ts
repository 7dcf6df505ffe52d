/**
 * Perfex keeps descriptions and comments as HTML (TinyMCE); Coordinator keeps plain text. Text we
 * write comes back unchanged (`htmlToText(textToHtml(t)) === normalizeText(t)`), and HTML the CRM
 * wrote is turned into readable text: scripts and styles dropped, mentions kept as their visible
 * `@Name`, blocks and line breaks as newlines.
 */

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ensp: ' ', emsp: ' ', thinsp: ' ',
  ndash: '–', mdash: '—', hellip: '…', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»',
  euro: '€', pound: '£', copy: '©', reg: '®', trade: '™', deg: '°', middot: '·', bull: '•', times: '×',
  auml: 'ä', ouml: 'ö', uuml: 'ü', Auml: 'Ä', Ouml: 'Ö', Uuml: 'Ü', szlig: 'ß', eacute: 'é', egrave: 'è',
  ecirc: 'ê', aacute: 'á', agrave: 'à', acirc: 'â', iacute: 'í', oacute: 'ó', uacute: 'ú', ntilde: 'ñ',
  ccedil: 'ç', Eacute: 'É', oslash: 'ø', aring: 'å', aelig: 'æ',
};

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[body] ?? whole;
  });
}

/** What both sides compare: Unix newlines, no trailing spaces on a line, no blank lines at either end. */
export function normalizeText(text: string | null | undefined): string {
  if (text == null) return '';
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+|\n+$/g, '');
}

const BLOCK = 'p|div|h[1-6]|tr|blockquote|pre|ul|ol|table';

export function htmlToText(html: string | null | undefined): string {
  if (html == null || html === '') return '';
  let s = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<(script|style)\b[^>]*\/?>/gi, '')
    .replace(/\[task_attachment\]/g, '')
    // Markup whitespace is not content; significant spaces and newlines are entities and tags.
    .replace(/\s+/g, ' ')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/li\s*>/gi, '')
    .replace(new RegExp(`</(?:${BLOCK})\\s*>`, 'gi'), '\n')
    .replace(new RegExp(`<(?:${BLOCK})\\b[^>]*>`, 'gi'), '\n')
    .replace(/<[^>]*>/g, '');
  s = s.replace(/^ +| +$/gm, '').replace(/\n{3,}/g, '\n\n');
  // First block opening adds a newline that has no text before it.
  s = s.replace(/^\n+/, '');
  return normalizeText(decodeEntities(s).replace(/\n{3,}/g, '\n\n'));
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A line of text as HTML, with spaces that HTML would collapse written as entities. */
function lineToHtml(line: string): string {
  let out = '';
  let previousWasSpace = true; // a leading space would be trimmed as markup whitespace
  for (const ch of escapeHtml(line)) {
    if (ch === ' ') {
      out += previousWasSpace ? '&#32;' : ' ';
      previousWasSpace = true;
    } else if (ch === '\t') {
      out += '&#9;';
      previousWasSpace = false;
    } else if (ch === '\u00a0') {
      out += '&#160;';
      previousWasSpace = false;
    } else {
      out += ch;
      previousWasSpace = false;
    }
  }
  return out;
}

export function textToHtml(text: string | null | undefined): string {
  const normalized = normalizeText(text);
  if (normalized === '') return '';
  return `<p>${normalized.split('\n').map(lineToHtml).join('<br>')}</p>`;
}
