// Steps through the LMS-CFG from one position to the next log site, passing unit markers
// (which print nothing). Shared by the matcher (which templates are expected next) and the
// sequence checks (deviations, units). Pure; results cached per position.
import { ENTRY, EXIT, type LmsProfile, type LmsSite } from './types';

export interface Step {
  site: string;
  /** unit markers passed on the way, in order (fewest possible) */
  markers: LmsSite[];
}

export class CfgWalker {
  readonly sites = new Map<string, LmsSite>();
  private readonly cache = new Map<string, { next: Map<string, Step[]>; exit: Step | undefined }>();
  /** log sites of each template */
  readonly sitesOf = new Map<string, string[]>();

  constructor(private readonly profile: LmsProfile) {
    for (const s of profile.cfg.sites) {
      this.sites.set(s.id, s);
      if (s.kind === 'log' && s.template) this.sitesOf.set(s.template, [...(this.sitesOf.get(s.template) ?? []), s.id]);
    }
  }

  /** Log sites reachable from `from` (a log site or ENTRY) through markers only, by template. */
  from(from: string): { next: Map<string, Step[]>; exit: Step | undefined } {
    const hit = this.cache.get(from);
    if (hit) return hit;
    const next = new Map<string, Step[]>();
    let exit: Step | undefined;
    const seen = new Set<string>([from]);
    // breadth first: the first time a site is reached is with the fewest markers
    let layer: Array<{ id: string; markers: LmsSite[] }> = [{ id: from, markers: [] }];
    while (layer.length) {
      const nextLayer: typeof layer = [];
      for (const { id, markers } of layer) {
        for (const to of this.profile.cfg.edges[id] ?? []) {
          if (seen.has(to)) continue;
          seen.add(to);
          if (to === EXIT) {
            exit ??= { site: EXIT, markers };
            continue;
          }
          const s = this.sites.get(to);
          if (!s) continue;
          if (s.kind === 'log') {
            const list = next.get(s.template!) ?? [];
            list.push({ site: to, markers });
            next.set(s.template!, list);
          } else nextLayer.push({ id: to, markers: [...markers, s] });
        }
      }
      layer = nextLayer;
    }
    const result = { next, exit };
    this.cache.set(from, result);
    return result;
  }

  /** Templates that may come right after any of these positions. */
  expectedAfter(states: Iterable<string>): string[] {
    const out = new Set<string>();
    for (const s of states) for (const t of this.from(s).next.keys()) out.add(t);
    return [...out];
  }

  static start(): string {
    return ENTRY;
  }
}
