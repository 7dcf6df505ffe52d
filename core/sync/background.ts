import { createLogger } from '../common/logger';

const log = createLogger('sync.background');

export interface BackgroundOptions {
  /** Runs one sync; rejects when it failed. */
  run: () => Promise<unknown>;
  /** Whether a failure means "offline" (retry quietly) rather than "broken". */
  intervalMs: () => number;
  /** Quiet time after a local write before syncing it. */
  debounceMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
  onSchedule?: (at: Date | null) => void;
}

/**
 * When to sync: at start, shortly after local writes (debounced), periodically, and immediately
 * on reconnect; after a failure, exponential backoff with full jitter so a fleet of laptops
 * coming back online does not stampede the server.
 */
export class BackgroundSync {
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = true;
  private running = false;
  private rerun = false;

  constructor(private readonly options: BackgroundOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.options.onSchedule?.(null);
  }

  /** A local write happened: sync soon, unless backing off after failures. */
  notifyLocalChange(): void {
    if (this.stopped || this.failures > 0) return;
    this.schedule(this.options.debounceMs ?? 2_000);
  }

  /** The network came back (or the user asked): try now and forget the backoff. */
  notifyOnline(): void {
    if (this.stopped) return;
    this.failures = 0;
    this.schedule(0);
  }

  /** The delay before the next attempt after `failures` consecutive failures. */
  backoffMs(failures: number): number {
    const min = this.options.minBackoffMs ?? 2_000;
    const max = this.options.maxBackoffMs ?? 5 * 60_000;
    const ceiling = Math.min(max, min * 2 ** Math.max(0, failures - 1));
    return Math.round(min / 2 + (this.options.random ?? Math.random)() * (ceiling - min / 2));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref?.();
    this.options.onSchedule?.(new Date(Date.now() + delayMs));
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = true;
    try {
      await this.options.run();
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      log.debug('sync attempt failed', { failures: this.failures, error: error instanceof Error ? error.message : String(error) });
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    if (this.rerun && this.failures === 0) {
      this.rerun = false;
      this.schedule(0);
    } else {
      this.rerun = false;
      this.schedule(this.failures > 0 ? this.backoffMs(this.failures) : this.options.intervalMs());
    }
  }
}
