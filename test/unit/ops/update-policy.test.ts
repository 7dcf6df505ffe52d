import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readUpdateConfigFile, resolveUpdatePolicy } from '../../../core/ops/update-policy';

const packaged = (env: Record<string, string | undefined>, file: unknown = null) => resolveUpdatePolicy({ env, file, isPackaged: true });

describe('auto-update policy', () => {
  it('is off when no feed is configured, in development builds, or when turned off', () => {
    expect(packaged({})).toEqual({ enabled: false, reason: 'no update feed configured' });
    expect(resolveUpdatePolicy({ env: { COORDINATOR_UPDATE_URL: 'https://updates.example.com/coordinator' }, file: null, isPackaged: false })).toMatchObject({ enabled: false, reason: expect.stringMatching(/development/) });
    expect(packaged({ COORDINATOR_UPDATE_URL: 'https://updates.example.com/c', COORDINATOR_UPDATES: 'off' })).toMatchObject({ enabled: false });
  });

  it('takes the feed from the environment first, then from updates.json', () => {
    const fromEnv = packaged({ COORDINATOR_UPDATE_URL: 'https://updates.example.com/c/', COORDINATOR_UPDATE_CHANNEL: 'beta' }, { feedUrl: 'https://other.example.com/' });
    expect(fromEnv).toEqual({ enabled: true, feedUrl: 'https://updates.example.com/c/', channel: 'beta', intervalMs: 6 * 3_600_000, allowPrerelease: false, source: 'environment' });
    const fromFile = packaged({}, { feedUrl: 'https://updates.example.com/c/', checkIntervalHours: 24, allowPrerelease: true });
    expect(fromFile).toMatchObject({ enabled: true, source: 'file', intervalMs: 24 * 3_600_000, allowPrerelease: true, channel: 'latest' });
  });

  it.each([
    ['plain http to another machine', { feedUrl: 'http://updates.example.com/c' }, /https/],
    ['credentials in the URL', { feedUrl: 'https://user:pw@updates.example.com/c' }, /credentials/],
    ['a file URL', { feedUrl: 'file:///tmp/feed' }, /https/],
    ['not a URL', { feedUrl: 'updates' }, /valid URL/],
    ['unknown keys', { feedUrl: 'https://u.example.com', autoRun: true }, /invalid update settings/],
    ['a bad channel', { feedUrl: 'https://u.example.com', channel: '../x' }, /invalid update settings/],
    ['an unreadable file', { unreadable: '/x/updates.json' }, /invalid update settings/],
  ])('refuses %s', (_label, file, reason) => {
    const decision = packaged({}, file);
    expect(decision.enabled).toBe(false);
    if (!decision.enabled) expect(decision.reason).toMatch(reason);
  });

  it('accepts plain http only on this machine (a local test feed)', () => {
    expect(packaged({ COORDINATOR_UPDATE_URL: 'http://127.0.0.1:8080/feed' }).enabled).toBe(true);
  });

  it('reads updates.json; a missing file means none, a broken one is refused by the policy', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-updates-'));
    try {
      const file = path.join(dir, 'updates.json');
      expect(readUpdateConfigFile(file)).toBeNull();
      writeFileSync(file, '{ nope');
      expect(packaged({}, readUpdateConfigFile(file)).enabled).toBe(false);
      writeFileSync(file, JSON.stringify({ feedUrl: 'https://updates.example.com/c' }));
      expect(packaged({}, readUpdateConfigFile(file)).enabled).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
