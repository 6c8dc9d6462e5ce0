// CPU profiles taken inside the embedded platform's containers, for a diagnostic run of
// bench/kernel-activations.ts (`--container-cpu-prof DIR`); never on by default. Each container's
// node loads a small preload (NODE_OPTIONS=--require) that starts V8's sampling profiler on the
// first SIGUSR2 and writes the profile on the second, so that a profile covers exactly the
// activations between the two signals (the bench sends them after warm-up and after the last
// round): start-up, /init and warm-up stay out. The preload and the profiles live under /var/tmp,
// because a container's /tmp is its own.
//
// The summary (`npx tsx bench/container-profile.ts DIR [--activations PURCHASE,GET_PRICE]`, also
// printed by the bench at the end of such a run) gives per configuration and action: CPU per
// activation by category (the wrapper bundle's code, the handler, node internals, GC, native), and
// the wrapper's functions by self and inclusive time. Read a minified bundle's names through an
// unminified build: PROVENANCE_BENCH_WRAPPER=<unminified bundle.js>.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The preload every container loads when profiling: SIGUSR2 starts the profiler, the next SIGUSR2 writes the profile. */
const PRELOAD = `
const inspector = require('node:inspector'), fs = require('node:fs'), path = require('node:path');
const dir = process.env.SP_CPU_PROF_DIR, tag = process.env.SP_CPU_PROF_TAG || 'x', interval = Number(process.env.SP_CPU_PROF_INTERVAL_US || 250);
let session;
process.on('SIGUSR2', () => {
  if (!session) {
    session = new inspector.Session();
    session.connect();
    session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval }, () => session.post('Profiler.start')));
    return;
  }
  const s = session;
  session = undefined;
  s.post('Profiler.stop', (err, r) => {
    const action = (process.env.__OW_ACTION_NAME || 'unknown').split('/').pop();
    if (!err) fs.writeFileSync(path.join(dir, tag + '-' + action + '-' + process.pid + '.cpuprofile'), JSON.stringify(r.profile));
    s.disconnect();
  });
});
`;

export interface ContainerProfiling {
  dir: string;
  /** the containers' environment for one configuration (its profiles are named by `tag`) */
  env(tag: string): Record<string, string>;
}

/** Writes the preload into `dir` (created) and returns what each configuration's containers need. */
export function prepareContainerProfiling(dir: string, intervalUs = 250): ContainerProfiling {
  const abs = path.resolve(dir);
  if (abs === '/tmp' || abs.startsWith('/tmp/')) throw new Error(`--container-cpu-prof ${dir}: a container's /tmp is its own; use a directory elsewhere, e.g. /var/tmp/container-prof`);
  fs.mkdirSync(abs, { recursive: true });
  const preload = path.join(abs, 'preload.js');
  fs.writeFileSync(preload, PRELOAD);
  return {
    dir: abs,
    env: (tag) => ({ NODE_OPTIONS: `--require ${preload}`, SP_CPU_PROF_DIR: abs, SP_CPU_PROF_TAG: tag, SP_CPU_PROF_INTERVAL_US: String(intervalUs) }),
  };
}

/** Signals the profiler of each process (start, then stop and write). */
export function toggleProfilers(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGUSR2');
    } catch {
      // the container is gone: its profile is lost, the summary shows it missing
    }
  }
}

/** Waits until `count` profiles are in `dir` (at most `timeoutMs`). */
export async function waitForProfiles(dir: string, count: number, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    if (files.length >= count || Date.now() > deadline) return files.map((f) => path.join(dir, f));
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------------------------------------
// Reading a profile (pure).

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export type Category = 'wrapper' | 'handler' | 'node modules' | 'node internals' | 'gc' | 'program' | 'idle' | 'native';

/** Which part of the process a frame belongs to. */
export function categoryOf(frame: CallFrame, wrapperFile: RegExp): Category {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(program)') return 'program';
  if (functionName === '(idle)') return 'idle';
  if (wrapperFile.test(url)) return 'wrapper';
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/node_modules/')) return 'node modules';
  if (url.endsWith('/handler.js') || url.endsWith('/entry.js')) return 'handler';
  if (url === '') return 'native';
  return 'node modules';
}

export interface ProfileSummary {
  /** µs of samples, per category (self time) */
  categories: Record<Category, number>;
  /** wrapper functions: self µs, and inclusive µs (time with the function on the stack, counted once per sample) */
  functions: Map<string, { self: number; inclusive: number }>;
  /** every function by self µs (for the N-against-A difference), keyed "name url:line" */
  selfByFunction: Map<string, number>;
  /** µs of samples not idle */
  busy: number;
}

/**
 * Sums a profile: each sample's time (its time delta) goes to the sampled node's category and
 * function (self), and once to every distinct wrapper function on its stack (inclusive).
 */
export function summariseProfile(p: CpuProfile, wrapperFile = /\/\.provenance\/bundle\.js$|\/wrapper\/bundle[^/]*\.js$/): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const categories: Record<Category, number> = { wrapper: 0, handler: 0, 'node modules': 0, 'node internals': 0, gc: 0, program: 0, idle: 0, native: 0 };
  const functions = new Map<string, { self: number; inclusive: number }>();
  const selfByFunction = new Map<string, number>();
  const fnKey = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${path.basename(f.url)}:${f.lineNumber + 1}`;
  // stacks are the same for every sample of a node: compute each node's distinct wrapper functions once
  const wrapperStack = new Map<number, string[]>();
  const stackOf = (id: number): string[] => {
    let s = wrapperStack.get(id);
    if (s) return s;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (wrapperFile.test(f.url)) seen.add(fnKey(f));
    }
    s = [...seen];
    wrapperStack.set(id, s);
    return s;
  };
  let busy = 0;
  for (let i = 0; i < p.samples.length; i++) {
    // a sample's delta is the time *before* it; the next one's is the time it stood for: use the next
    const dt = p.timeDeltas[i + 1] ?? 0;
    const node = byId.get(p.samples[i]);
    if (!node) continue;
    const cat = categoryOf(node.callFrame, wrapperFile);
    categories[cat] += dt;
    if (cat !== 'idle') busy += dt;
    const key = fnKey(node.callFrame);
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + dt);
    if (cat === 'wrapper') {
      const e = functions.get(key) ?? { self: 0, inclusive: 0 };
      e.self += dt;
      functions.set(key, e);
    }
    for (const fn of stackOf(node.id)) {
      const e = functions.get(fn) ?? { self: 0, inclusive: 0 };
      e.inclusive += dt;
      functions.set(fn, e);
    }
  }
  return { categories, functions, selfByFunction, busy };
}

/** Adds several profiles' summaries (one configuration's containers of one action). */
export function mergeSummaries(list: readonly ProfileSummary[]): ProfileSummary {
  const out = summariseProfile({ nodes: [], samples: [], timeDeltas: [], startTime: 0, endTime: 0 });
  for (const s of list) {
    for (const [k, v] of Object.entries(s.categories)) out.categories[k as Category] += v;
    for (const [k, v] of s.functions) {
      const e = out.functions.get(k) ?? { self: 0, inclusive: 0 };
      e.self += v.self;
      e.inclusive += v.inclusive;
      out.functions.set(k, e);
    }
    for (const [k, v] of s.selfByFunction) out.selfByFunction.set(k, (out.selfByFunction.get(k) ?? 0) + v);
    out.busy += s.busy;
  }
  return out;
}

/** Profiles in `dir` grouped by "<tag> <action>". */
export function readProfiles(dir: string): Map<string, ProfileSummary> {
  const groups = new Map<string, ProfileSummary[]>();
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    // <tag>-<action>-<pid>.cpuprofile, as the preload names them (the action's name may hold '-')
    const named = /^([^-]+)-(.+)-\d+\.cpuprofile$/.exec(f);
    const key = named ? `${named[1]} ${named[2]}` : `? ${f}`;
    const list = groups.get(key) ?? [];
    list.push(summariseProfile(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as CpuProfile));
    groups.set(key, list);
  }
  return new Map([...groups].map(([k, v]) => [k, mergeSummaries(v)]));
}

/** Lines of text: per group, µs per activation by category, the wrapper's top functions, and the biggest self-time differences against the baseline tag. */
export function formatProfiles(groups: Map<string, ProfileSummary>, activations: Record<string, number>, baseTag = 'N', top = 25): string[] {
  const out: string[] = [];
  const per = (us: number, action: string) => us / (activations[action] ?? 1);
  for (const [key, s] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const [tag, action] = key.split(' ');
    const n = activations[action] ?? 1;
    out.push(`${key}: ${(per(s.busy, action)).toFixed(0)} µs busy per activation over ${n} activations (profiler's samples)`);
    out.push(`    ${(Object.entries(s.categories) as [Category, number][]).filter(([c]) => c !== 'idle').map(([c, v]) => `${c} ${per(v, action).toFixed(0)}`).join(', ')}`);
    const fns = [...s.functions].sort((a, b) => b[1].inclusive - a[1].inclusive).slice(0, top);
    for (const [name, v] of fns) out.push(`    ${per(v.inclusive, action).toFixed(1).padStart(7)} incl ${per(v.self, action).toFixed(1).padStart(7)} self  ${name}`);
    const base = groups.get(`${baseTag} ${action}`);
    if (base && tag !== baseTag) {
      const diff = new Map<string, number>();
      for (const [k, v] of s.selfByFunction) diff.set(k, per(v, action));
      for (const [k, v] of base.selfByFunction) diff.set(k, (diff.get(k) ?? 0) - per(v, action));
      const big = [...diff].filter(([, v]) => Math.abs(v) >= 3).sort((a, b) => b[1] - a[1]).slice(0, top);
      out.push(`    self time against ${baseTag} (µs per activation, |diff| >= 3):`);
      for (const [k, v] of big) out.push(`    ${(v >= 0 ? '+' : '') + v.toFixed(1).padStart(7)}  ${k}`);
    }
  }
  return out;
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: npx tsx bench/container-profile.ts DIR [--activations PURCHASE,GET_PRICE] [--base TAG]');
    process.exit(2);
  }
  const a = process.argv.indexOf('--activations');
  const [purchase, getPrice] = a >= 0 ? process.argv[a + 1].split(',').map(Number) : [1, 1];
  const b = process.argv.indexOf('--base');
  for (const line of formatProfiles(readProfiles(dir), { purchase, 'get-price': getPrice }, b >= 0 ? process.argv[b + 1] : 'N')) console.log(line);
}
