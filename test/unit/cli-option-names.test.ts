import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../core/cli/program';

/**
 * Every message that tells a person to use `--something` must name an option the `coordinator`
 * program really has (issue 12 §6: the plain-text password refusal named one that did not exist).
 * The messages are found where they are written: string literals in core/ and shared/.
 */
function programOptions(): Set<string> {
  const names = new Set(['--help', '--version']);
  const visit = (cmd: Command) => {
    for (const option of cmd.options) if (option.long) names.add(option.long);
    cmd.commands.forEach(visit);
  };
  visit(buildProgram());
  return names;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** `--name` inside a quoted or template string on one line (SQL comments are `-- text`, with a space). */
const LITERAL = /(['"`])(?:(?!\1)[^\\\n]|\\.)*\1/g;
const OPTION = /(?<![\w-])--[a-z][a-z0-9-]*/g;

/** Switches handed to another program, not told to a person: Chromium's, for PDF export (core/reports/pdf.ts). */
const OTHER_PROGRAMS = new Set(['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']);

function optionsNamedIn(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(LITERAL)].flatMap((literal) => [...literal[0].matchAll(OPTION)].map((m) => m[0])).filter((name) => !OTHER_PROGRAMS.has(name));
}

describe('CLI option names in messages', () => {
  const known = programOptions();
  const files = ['core', 'shared'].flatMap((root) => sourceFiles(path.resolve(root)));

  it('finds the messages it checks (the scan itself works)', () => {
    const named = files.flatMap(optionsNamedIn);
    expect(named).toContain('--allow-plaintext-password');
    expect(named).toContain('--db');
    expect(named.length).toBeGreaterThan(50);
  });

  it('names only options the coordinator program has', () => {
    const unknown = files.flatMap((file) => optionsNamedIn(file).filter((name) => !known.has(name)).map((name) => `${path.relative(process.cwd(), file)}: ${name}`));
    expect(unknown).toEqual([]);
  });

  it('would notice an option that does not exist', () => {
    expect(known.has('--allow-plain-text')).toBe(false);
    expect(known.has('--allow-plaintext-password')).toBe(true);
  });
});
