/**
 * The renderer as it ships: built fresh by vite into a temp folder, its index.html must carry a
 * strict Content-Security-Policy and nothing that such a policy would have to allow (inline
 * scripts or styles, event-handler attributes, remote resources).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REMOTE_CONTENT_SECURITY_POLICY } from '../../electron/main/policy';

const root = path.resolve(import.meta.dirname, '..', '..');

function directives(policy: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of policy.split(';').map((p) => p.trim()).filter(Boolean)) {
    const [name, ...sources] = part.split(/\s+/);
    if (name) map.set(name.toLowerCase(), sources);
  }
  return map;
}

describe('the built index.html', () => {
  let outDir: string;
  let html: string;
  beforeAll(() => {
    outDir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-renderer-'));
    execFileSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], {
      cwd: root,
      stdio: 'pipe',
    });
    html = readFileSync(path.join(outDir, 'index.html'), 'utf8');
  }, 120_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('carries exactly one CSP, and it is strict', () => {
    const metas = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/gi)];
    expect(metas).toHaveLength(1);
    const csp = directives(metas[0]![1]!);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'none'"]); // the renderer has no network; main does it
    for (const name of ['object-src', 'base-uri', 'form-action', 'frame-ancestors']) expect(csp.get(name), name).toEqual(["'none'"]);
    const everySource = [...csp.values()].flat();
    for (const unsafe of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'", '*', 'http:', 'https:', 'blob:', 'filesystem:', 'ws:', 'wss:']) {
      expect(everySource, unsafe).not.toContain(unsafe);
    }
    // data: only for images (inline SVG icons), never for scripts, styles or frames.
    expect([...csp.entries()].filter(([, sources]) => sources.includes('data:')).map(([name]) => name)).toEqual(['img-src']);
  });

  it('has nothing the policy would need to allow: no inline code, no handlers, no remote resources', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="\.\/assets\/[^"]+\.js"/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    for (const [, url] of html.matchAll(/\s(?:src|href)="([^"]*)"/gi)) expect(url, url).toMatch(/^\.\//);
    // Assets are files, never inlined as data: URLs into the scripts.
    const assets = readdirSync(path.join(outDir, 'assets'));
    expect(assets.some((f) => f.endsWith('.js'))).toBe(true);
  });

  it('any http(s) response reaching a window gets a deny-all policy', () => {
    const csp = directives(REMOTE_CONTENT_SECURITY_POLICY);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  });
});
