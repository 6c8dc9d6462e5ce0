// Where the cost of capturing a process whose stdout is a pipe (a container's log path) goes:
// `dd bs=64 | cat` in a cgroup, with no program, with the empty program on the probe's hook, with
// the probe loaded but not capturing, and captured by variants of the probe that each leave one
// part of the stdio write path out (kmod/bench/probe-variants.sh builds them). All of them stay
// loaded for the whole run and only their attachment changes, so every round runs every
// configuration back to back in a rotated order; ratios are taken per round against no program.
//   kmod/bench/probe-variants.sh && npx tsx bench/pipe-floor.ts [count] [rounds] [--also=NAME:PATH ...]   (as root)
// --also: one more configuration, a hook switch built elsewhere (e.g. a copy of kmod/out/sp_hook_switch
// kept from before a change of the probe), measured in the same rounds.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kmodPaths } from '../kmod/paths';
import { CGROUP2, run } from './capture';
import { openHookSwitch, type Hook } from './hook-switch';
import { median, ratioSummary, roundOrder } from './interleave';

const VARIANTS = ['as-is', 'keep-all', 'no-marker-read', 'no-stdio-write'];

async function main(count: number, rounds: number, also: Record<string, string>): Promise<void> {
  const root = path.join(CGROUP2, 'serverless-provenance-bench');
  const cg = path.join(root, `${process.pid}-pipe`);
  const other = path.join(root, `${process.pid}-pipe-other`);
  fs.mkdirSync(cg, { recursive: true });
  fs.mkdirSync(other, { recursive: true });
  const ddPipe = ['/bin/sh', '-c', `dd if=/dev/zero bs=64 count=${count} 2>/dev/null | cat > /dev/null`];
  const switches: Record<string, Awaited<ReturnType<typeof openHookSwitch>>> = {};
  try {
    // the as-is probe not capturing this cgroup: the idle cost on the same work
    switches.idle = await openHookSwitch(BigInt(fs.statSync(other).ino));
    const tools: Record<string, string> = { ...Object.fromEntries(VARIANTS.map((v) => [v, path.join(kmodPaths().out, 'variants', v, 'sp_hook_switch')])), ...also };
    for (const [v, tool] of Object.entries(tools)) {
      if (!fs.existsSync(tool)) throw new Error(`${tool} is not built: run kmod/bench/probe-variants.sh`);
      switches[v] = await openHookSwitch(BigInt(fs.statSync(cg).ino), tool);
    }
    for (const [k, s] of Object.entries(switches)) if (typeof s === 'string') throw new Error(`${k}: ${s}`);
    const sw = switches as Record<string, { use(h: Hook): Promise<void>; close(): Promise<void> }>;
    const configs = ['none', 'empty', 'idle', ...Object.keys(tools)];
    const times: Record<string, number[]> = Object.fromEntries(configs.map((c) => [c, []]));
    await run(ddPipe, cg); // warm-up
    for (let round = 0; round < rounds; round++) {
      for (const c of roundOrder(configs, round)) {
        for (const s of Object.values(sw)) await s.use('none');
        if (c === 'empty') await sw.idle.use('empty');
        else if (c !== 'none') await sw[c].use('probe');
        times[c].push(await run(ddPipe, cg));
      }
    }
    for (const s of Object.values(sw)) await s.use('none');
    console.log(`dd bs=64 count=${count} | cat, ${rounds} rounds, CPU ms of the cgroup; ratio per round against no program, median [quartiles]`);
    for (const c of configs) {
      const r = ratioSummary(times[c].map((x) => [x]), times.none.map((x) => [x]));
      console.log(`${c.padEnd(16)} ${median(times[c]).toFixed(1).padStart(7)}  ${r.median.toFixed(3)}x [${r.q1.toFixed(3)}..${r.q3.toFixed(3)}]`);
    }
  } finally {
    for (const s of Object.values(switches)) if (typeof s !== 'string') await s.close();
    for (const d of [cg, other]) {
      try {
        fs.rmdirSync(d);
      } catch {
        // a process still in it: harmless, named after this run
      }
    }
  }
}

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const also = Object.fromEntries(
  process.argv
    .filter((a) => a.startsWith('--also='))
    .map((a) => {
      const [name, ...rest] = a.slice('--also='.length).split(':');
      return [name, rest.join(':')];
    }),
);
main(Number(positional[0] ?? 100_000), Number(positional[1] ?? 11), also).catch((e) => {
  console.error(`bench/pipe-floor: ${(e as Error).message}`);
  process.exit(1);
});
