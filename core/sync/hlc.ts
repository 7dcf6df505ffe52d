/**
 * Hybrid logical clock: wall-clock milliseconds plus a counter, tagged with the replica's id.
 * Encoded so that plain string comparison orders clocks: `000001732461234567:0000:client`.
 * It never goes backwards even if the laptop's clock does, and it moves past any clock it has
 * seen from the server, so causally later edits always compare later.
 */
export class HybridLogicalClock {
  private lastMs = 0;
  private counter = 0;

  constructor(
    private readonly nodeId: string,
    private readonly wallClock: () => number = Date.now,
  ) {}

  now(): string {
    const wall = this.wallClock();
    if (wall > this.lastMs) {
      this.lastMs = wall;
      this.counter = 0;
    } else {
      this.counter += 1;
    }
    return encodeHlc(this.lastMs, this.counter, this.nodeId);
  }

  /** Merges a clock received from elsewhere so the next local stamp is later than it. */
  observe(remote: string): void {
    const parsed = decodeHlc(remote);
    if (!parsed) return;
    if (parsed.ms > this.lastMs || (parsed.ms === this.lastMs && parsed.counter > this.counter)) {
      this.lastMs = parsed.ms;
      this.counter = parsed.counter;
    }
  }
}

export function encodeHlc(ms: number, counter: number, nodeId: string): string {
  return `${String(ms).padStart(15, '0')}:${String(counter).padStart(5, '0')}:${nodeId}`;
}

export function decodeHlc(value: string): { ms: number; counter: number; nodeId: string } | null {
  const match = /^(\d{15}):(\d{5}):(.*)$/.exec(value);
  if (!match) return null;
  return { ms: Number(match[1]), counter: Number(match[2]), nodeId: match[3] ?? '' };
}
