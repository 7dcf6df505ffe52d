import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The project's design lives in docs/: nothing may cite a design document the repository does
 * not contain, and every relative link of the documentation must land on a file (and heading)
 * that exists.
 */

const ROOT = path.resolve(__dirname, '../..');

/**
 * Pages other engineers are writing on their own branches at the same time. A link to one of them
 * is accepted only while the page is missing; once merged, the link is checked like any other.
 * Delete an entry when its page has landed.
 */
/** A citation of the external design document: its file name, or its section sign. */
const EXTERNAL_DESIGN_CITATION = /\bDESIGN(?:\.md\b|\s*§)/i;

/** The project's files as git sees them: tracked plus new, without what .gitignore excludes. */
function projectFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return out.split('\0').filter((f) => f !== '' && existsSync(path.join(ROOT, f)) && statSync(path.join(ROOT, f)).isFile());
}

function readText(file: string): string | null {
  const buffer = readFileSync(path.join(ROOT, file));
  return buffer.includes(0) ? null : buffer.toString('utf8');
}

interface Link {
  file: string;
  line: number;
  target: string;
}

/** Markdown links `[text](target)` outside fenced code blocks. */
function markdownLinks(file: string, text: string): Link[] {
  const links: Link[] = [];
  let fenced = false;
  text.split('\n').forEach((line, index) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) return;
    const withoutCode = line.replace(/`[^`]*`/g, '');
    for (const match of withoutCode.matchAll(/\]\(([^)\s]+)\)/g)) links.push({ file, line: index + 1, target: match[1] ?? '' });
  });
  return links;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens. */
function headingSlug(heading: string): string {
  return heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) anchors.add(headingSlug(heading[1] ?? ''));
  }
  return anchors;
}

/** Why a link does not resolve, or null when it does. */
function brokenReason(link: Link): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) return null; // https:, mailto:, …
  const [rawPath = '', anchor] = link.target.split('#');
  const target = rawPath === '' ? path.join(ROOT, link.file) : path.resolve(path.dirname(path.join(ROOT, link.file)), decodeURIComponent(rawPath));
  const relative = path.relative(ROOT, target).split(path.sep).join('/');
  if (!existsSync(target)) return `${relative} does not exist`;
  if (anchor && target.endsWith('.md') && !anchorsOf(target).has(anchor)) return `${relative} has no heading #${anchor}`;
  return null;
}

const documentation = (): string[] => [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe('the project documents itself in docs/', () => {
  it('has no citation of a design document outside the repository, in any file', () => {
    const files = projectFiles();
    expect(files).toContain('README.md');
    const citing = files.flatMap((file) => {
      const text = readText(file);
      if (text === null) return [];
      return text
        .split('\n')
        .flatMap((line, i) => (EXTERNAL_DESIGN_CITATION.test(line) ? [`${file}:${i + 1}: ${line.trim().slice(0, 120)}`] : []));
    });
    expect(citing).toEqual([]);
  });

  it('has the pages the README and code cite', () => {
    for (const page of ['README.md', 'architecture.md', 'sync-protocol.md', 'crm-mapping.md', 'security.md', 'decisions.md', 'schema.md']) {
      expect(existsSync(path.join(ROOT, 'docs', page)), page).toBe(true);
    }
  });

  it('resolves every relative link (and heading anchor) in README.md and docs/*.md', () => {
    const links = documentation().flatMap((file) => markdownLinks(file, readFileSync(path.join(ROOT, file), 'utf8')));
    expect(links.length).toBeGreaterThan(20);
    const broken = links.flatMap((link) => {
      const reason = brokenReason(link);
      return reason ? [`${link.file}:${link.line} → ${link.target}: ${reason}`] : [];
    });
    expect(broken).toEqual([]);
  });

  it('recognises a citation of the external design document and a broken anchor', () => {
    const name = 'DESIGN'; // spelled apart so this file does not cite it itself
    expect(EXTERNAL_DESIGN_CITATION.test(`(${name} §3)`)).toBe(true);
    expect(EXTERNAL_DESIGN_CITATION.test(`see ${name}.md`)).toBe(true);
    expect(EXTERNAL_DESIGN_CITATION.test('Design the home page')).toBe(false);
    expect(headingSlug('Client-generated UUIDv7 keys')).toBe('client-generated-uuidv7-keys');
    expect(headingSlug('Node.js 22 LTS and better-sqlite3 13: one binary, no rebuild')).toBe('nodejs-22-lts-and-better-sqlite3-13-one-binary-no-rebuild');
    expect(brokenReason({ file: 'docs/README.md', line: 1, target: 'decisions.md#no-such-heading' })).toMatch(/no heading/);
    expect(brokenReason({ file: 'docs/README.md', line: 1, target: 'no-such-page.md' })).toMatch(/does not exist/);
  });
});
