// Steps through the LMS-CFG from one position to the next log site, passing unit markers
// (which print nothing) and unknown sites (which may print anything, then go on). Shared by the
// matcher (which templates are expected next) and the sequence checks (deviations, units). Pure;
// results cached per position.
import { ENTRY, EXIT, type LmsProfile, type LmsSite } from './types';

export interface Step {
  site: string;
  /** unit markers passed on the way, in order (fewest possible) */
  markers: LmsSite[];
}

export interface Reach {
  next: Map<string, Step[]>;
  exit: Step | undefined;
  unknown: boolean;
}

export class CfgWalker {
  readonly sites = new Map<string, LmsSite>();
  private readonly cache = new Map<string, Reach>();
  /** log sites of each template */
  readonly sitesOf = new Map<string, string[]>();
  /** templates with a deferred site: their lines may come at any point */
  readonly deferred = new Set<string>();
  /**
   * templates without literal text: they match any line, also one printed by code outside the
   * package (a library's warning), which would otherwise be unmatched and skipped
   */
  readonly wildcards = new Set<string>();

  constructor(private readonly profile: LmsProfile) {
    for (const s of profile.cfg.sites) {
      this.sites.set(s.id, s);
      if (s.kind === 'log' && s.template) this.sitesOf.set(s.template, [...(this.sitesOf.get(s.template) ?? []), s.id]);
      if (s.kind === 'log' && s.template && s.deferred) this.deferred.add(s.template);
    }
    for (const t of profile.templates) if (t.wildcard) this.wildcards.add(t.id);
  }

  /**
   * Log sites reachable from `from` (a log site or ENTRY) through markers and unknown sites only,
   * by template; `unknown` when an unknown site is on the way (then any template may come next).
   */
  from(from: string): Reach {
    const hit = this.cache.get(from);
    if (hit) return hit;
    const next = new Map<string, Step[]>();
    let exit: Step | undefined;
    let unknown = false;
    // `from` itself is not marked seen: a loop may lead straight back to it (the same line again)
    const seen = new Set<string>();
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
          } else if (s.kind === 'unknown') {
            unknown = true;
            nextLayer.push({ id: to, markers });
          } else nextLayer.push({ id: to, markers: [...markers, s] });
        }
      }
      layer = nextLayer;
    }
    const result: Reach = { next, exit, unknown };
    this.cache.set(from, result);
    return result;
  }

  /** Templates that may come right after any of these positions. */
  expectedAfter(states: Iterable<string>): string[] {
    const out = new Set<string>();
    for (const s of states) for (const t of this.from(s).next.keys()) out.add(t);
    return [...out];
  }

  /** Some position reaches an unknown site: whatever comes next cannot be a deviation. */
  unknownAfter(states: Iterable<string>): boolean {
    for (const s of states) if (this.from(s).unknown) return true;
    return false;
  }

  static start(): string {
    return ENTRY;
  }
}
