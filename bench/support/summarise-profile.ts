/**
 * Summarises a V8 .cpuprofile: self time by function (top N) and inclusive time of chosen
 * functions. `npx tsx bench/support/summarise-profile.ts <file.cpuprofile> [top] [fn,fn,…]`
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg, fnsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: summarise-profile <file.cpuprofile> [top] [fn,fn]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const label = (n: ProfileNode) => {
  const url = n.callFrame.url.replace(/^.*\/work\/main\//, '').replace(/^file:\/\//, '');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};

const selfByLabel = new Map<string, number>();
for (const [id, us] of selfUs) {
  const key = label(byId.get(id) as ProfileNode);
  selfByLabel.set(key, (selfByLabel.get(key) ?? 0) + us);
}
console.log(`total sampled: ${(total / 1e6).toFixed(2)} s`);
console.log('\nself time:');
for (const [key, us] of [...selfByLabel.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25))) {
  console.log(`${(us / 1e3).toFixed(0).padStart(8)} ms  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
}

// Inclusive time: a sample counts once for every distinct function name on its stack.
const wanted = (fnsArg ?? '').split(',').filter(Boolean);
if (wanted.length > 0) {
  const inclusive = new Map<string, number>(wanted.map((w) => [w, 0]));
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = (byId.get(cur) as ProfileNode).callFrame.functionName;
      if (inclusive.has(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + us);
      }
    }
  }
  console.log('\ninclusive time:');
  for (const [name, us] of inclusive) console.log(`${(us / 1e3).toFixed(0).padStart(8)} ms  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`);
}
