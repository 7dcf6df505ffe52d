import type { Forecast } from '../../shared/insights';
import { addDaysToDate } from '../common/time';

export const FORECAST_TRIALS = 2000;

/** A small seeded generator (mulberry32): the same data gives the same forecast on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Monte Carlo over recent weekly throughput: each trial draws past weeks at random until the
 * remaining tasks are done; the 50th and 85th percentile of the trials' lengths give the range.
 */
export function forecastCompletion(input: { projectId: string; projectName: string; deadline: string | null; remaining: number; samples: number[]; today: string }): Forecast {
  const base = { projectId: input.projectId, projectName: input.projectName, deadline: input.deadline, remainingTasks: input.remaining, samples: input.samples };
  if (input.remaining === 0) return { ...base, p50: input.today, p85: input.today, verdict: 'done' };
  if (!input.samples.some((s) => s > 0)) return { ...base, p50: null, p85: null, verdict: 'no_throughput' };
  const next = random(seedOf(`${input.projectId}:${input.remaining}:${input.samples.join(',')}`));
  const MAX_WEEKS = 520;
  const weeks: number[] = [];
  for (let trial = 0; trial < FORECAST_TRIALS; trial += 1) {
    let left = input.remaining;
    let w = 0;
    while (left > 0 && w < MAX_WEEKS) {
      left -= input.samples[Math.floor(next() * input.samples.length)]!;
      w += 1;
    }
    weeks.push(w);
  }
  weeks.sort((a, b) => a - b);
  const at = (p: number) => addDaysToDate(input.today, 7 * weeks[Math.max(0, Math.ceil(p * weeks.length) - 1)]!);
  const p50 = at(0.5);
  const p85 = at(0.85);
  const verdict = !input.deadline ? 'no_deadline' : p85 <= input.deadline ? 'on_track' : p50 <= input.deadline ? 'at_risk' : 'late';
  return { ...base, p50, p85, verdict };
}
