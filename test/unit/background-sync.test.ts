import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BackgroundSync } from '../../core/sync/background';

describe('background sync schedule', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const make = (run: () => Promise<unknown>, random = () => 0.5) =>
    new BackgroundSync({ run, intervalMs: () => 60_000, debounceMs: 2_000, minBackoffMs: 1_000, maxBackoffMs: 60_000, random });

  it('syncs at start, then periodically', async () => {
    const run = vi.fn(() => Promise.resolve());
    const bg = make(run);
    bg.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(2);
    bg.stop();
  });

  it('debounces bursts of local writes into one sync shortly after the last', async () => {
    const run = vi.fn(() => Promise.resolve());
    const bg = make(run);
    bg.start();
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 5; i += 1) {
      bg.notifyLocalChange();
      await vi.advanceTimersByTimeAsync(500);
    }
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(run).toHaveBeenCalledTimes(2);
    bg.stop();
  });

  it('backs off exponentially with jitter after failures and retries at once on reconnect', async () => {
    const run = vi.fn(() => Promise.reject(new Error('offline')));
    const bg = make(run, () => 1);
    expect([1, 2, 3, 4, 10].map((f) => bg.backoffMs(f))).toEqual([1_000, 2_000, 4_000, 8_000, 60_000]);
    bg.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(2);
    // While backing off, local writes do not hammer the server...
    bg.notifyLocalChange();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(run).toHaveBeenCalledTimes(2);
    // ...but a reconnect tries immediately.
    bg.notifyOnline();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(3);
    bg.stop();
  });

  it('jitter spreads retries between half the minimum and the ceiling', () => {
    const low = make(() => Promise.resolve(), () => 0);
    const high = make(() => Promise.resolve(), () => 1);
    expect(low.backoffMs(3)).toBe(500);
    expect(high.backoffMs(3)).toBe(4_000);
  });

  it('stops scheduling once stopped', async () => {
    const run = vi.fn(() => Promise.resolve());
    const bg = make(run);
    bg.start();
    await vi.advanceTimersByTimeAsync(0);
    bg.stop();
    bg.notifyLocalChange();
    bg.notifyOnline();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
