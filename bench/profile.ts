/**
 * Reads V8 .cpuprofile files (written by `--cpu-prof`, one per process) and
 * ranks self time by function and by package, so a report can say precisely
 * where our server spends its CPU. Usage on its own:
 * `node --import tsx bench/profile.ts <dir> [top]`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[]; startTime: number; endTime: number };

export type ProfileRow = { name: string; selfMs: number; percent: number };
export type ProfileSummary = { files: number; totalMs: number; functions: ProfileRow[]; packages: ProfileRow[]; markdown: string };

/** Where a script lives: `node_modules/<pkg>`, `node:internal`, or a project path. */
export function packageOf(url: string): string {
  if (!url) return '(native / V8)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  if (url.startsWith('node:')) return 'node (core)';
  const project = /\/(server|shared|bench)\/(.+)$/.exec(url);
  return project ? `${project[1]}/${project[2]}` : url;
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const project = /\/((?:server|shared|bench)\/.+)$/.exec(url);
  return project?.[1] ?? url.replace(/^file:\/\//, '');
}

/** Self time per node id, from samples and their time deltas (µs). */
export function selfTimes(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i];
    if (id === undefined) continue;
    // timeDeltas[i] is the gap before sample i; attribute the gap after it (next delta) to it.
    const delta = deltas[i + 1] ?? 0;
    self.set(id, (self.get(id) ?? 0) + Math.max(0, delta));
  }
  return self;
}

export function summarizeProfiles(dir: string, top = 25): ProfileSummary | null {
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
  if (files.length === 0) return null;
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    for (const [id, micros] of selfTimes(profile)) {
      const node = nodes.get(id);
      if (!node) continue;
      const { functionName, url, lineNumber } = node.callFrame;
      total += micros;
      if (functionName === '(idle)' || functionName === '(program)' || functionName === '(garbage collector)') {
        byFunction.set(functionName, (byFunction.get(functionName) ?? 0) + micros);
        byPackage.set(functionName, (byPackage.get(functionName) ?? 0) + micros);
        continue;
      }
      const name = `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : '(native)'}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
      const pkg = packageOf(url);
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
    }
  }
  const busy = total - (byFunction.get('(idle)') ?? 0);
  const rank = (map: Map<string, number>): ProfileRow[] =>
    [...map.entries()]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, selfMs: micros / 1000, percent: busy > 0 ? (micros / busy) * 100 : 0 }));
  const functions = rank(byFunction);
  const packages = rank(byPackage);
  const table = (rows: ProfileRow[], what: string) =>
    [
      `| ${what} | self ms | % of busy |`,
      '| --- | --- | --- |',
      ...rows.map((row) => `| \`${row.name}\` | ${row.selfMs.toFixed(0)} | ${row.percent.toFixed(1)} |`),
    ].join('\n');
  const markdown = `${files.length} profiles, ${(busy / 1000).toFixed(0)} ms busy (idle excluded).\n\n${table(packages.slice(0, 15), 'package / file')}\n\n${table(functions, 'function')}\n`;
  return { files: files.length, totalMs: busy / 1000, functions, packages, markdown };
}

if (process.argv[1]?.endsWith('bench/profile.ts')) {
  const dir = process.argv[2] ?? 'bench/results/profiles';
  const summary = summarizeProfiles(dir, Number(process.argv[3] ?? 30));
  process.stdout.write(summary ? summary.markdown : `no .cpuprofile files in ${dir}\n`);
}
