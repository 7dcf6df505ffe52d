// Fails when two areas of the code import each other, directly or round a longer loop — type-only
// imports included, which import-x/no-cycle does not see. An area is a folder under core/ (sync,
// crm, settings…), shared/, electron/, renderer/, a folder under test/, or bench/.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOTS = ['core', 'shared', 'electron', 'renderer', 'test', 'bench'];
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') yield* sourceFiles(full);
    } else if (/\.(ts|tsx|mts)$/.test(entry.name)) yield full;
  }
}

const areaOf = (file) => {
  const [top, second, third] = path.relative('.', file).split(path.sep);
  return (top === 'core' || top === 'test') && third !== undefined ? `${top}/${second}` : top;
};

/** area → area → one import that makes the edge (for the message). */
const edges = new Map();
for (const root of ROOTS) {
  for (const file of sourceFiles(root)) {
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const from = areaOf(file);
      const to = areaOf(path.join(path.dirname(file), match[1] ?? match[2]));
      if (from === to) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      if (!edges.get(from).has(to)) edges.get(from).set(to, `${file} → ${match[1] ?? match[2]}`);
    }
  }
}

// Tarjan's strongly connected components: every component with more than one area is a cycle.
let index = 0;
const indices = new Map();
const low = new Map();
const stack = [];
const cycles = [];
function connect(area) {
  indices.set(area, index);
  low.set(area, index);
  index += 1;
  stack.push(area);
  for (const next of edges.get(area)?.keys() ?? []) {
    if (!indices.has(next)) {
      connect(next);
      low.set(area, Math.min(low.get(area), low.get(next)));
    } else if (stack.includes(next)) low.set(area, Math.min(low.get(area), indices.get(next)));
  }
  if (low.get(area) === indices.get(area)) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      component.push(member);
    } while (member !== area);
    if (component.length > 1) cycles.push(component.sort());
  }
}
for (const area of edges.keys()) if (!indices.has(area)) connect(area);

if (cycles.length > 0) {
  for (const cycle of cycles) {
    console.error(`import cycle between areas: ${cycle.join(', ')}`);
    for (const from of cycle) for (const [to, via] of edges.get(from) ?? []) if (cycle.includes(to)) console.error(`  ${from} → ${to}: ${via}`);
  }
  process.exit(1);
}
console.log(`no import cycles between ${new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])]).size} areas`);
