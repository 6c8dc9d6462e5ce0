// The LMS profile: what the static analyser knows about one action's logging (
// DisProTrack's "log message strings" and "LMS-CFG"). It is plain JSON, versioned, written at
// package time and read by the correlator. Add optional fields freely; never rename.

export const LMS_PROFILE_VERSION = 1;

/**
 * What Node can print for one hole. Each has one regular expression (see `lms/holes.ts`) that
 * matches every string Node's `util.format` / `String()` produces for a value of that kind.
 *  - text:    any text (%s of an unknown value, a string, a template-literal expression)
 *  - number:  %d, %i, a number or bigint (`-0`, `1e+21`, `NaN`, `Infinity`, `12n`)
 *  - float:   %f (a number, never a bigint)
 *  - boolean: a value known to be boolean
 *  - json:    %j (JSON.stringify, or `undefined` / `[Circular]`)
 *  - inspect: %o, %O, or a non-string extra argument (util.inspect output)
 */
export type HoleType = 'text' | 'number' | 'float' | 'boolean' | 'json' | 'inspect';

/** A piece of a template: literal text, or a hole the run time fills in. */
export type TemplatePart = { lit: string } | { hole: HoleType; /** source text of the expression, for people */ expr?: string };

/** Where a template's text goes. */
export interface TemplateSink {
  /** console.* (stdout or stderr), a winston logger, or a logger recognised only by its name */
  kind: 'console' | 'winston' | 'heuristic';
  /** the method called: log, info, error, warn, debug, ... */
  method: string;
  stream?: 'stdout' | 'stderr';
}

/** One log message string: the text one logging call can print, with typed holes. */
export interface LmsTemplate {
  /** deterministic: hash of (file, regex, sink kind) — stable across unrelated edits */
  id: string;
  parts: TemplatePart[];
  /** human form: literals with holes written as {type} */
  text: string;
  /** anchored regular expression (source, no flags) with one capture group per hole, in order */
  regex: string;
  /** number of literal characters: a tie-breaker that prefers the most specific template */
  literalChars: number;
  /** true when the template has no literal text at all (it matches any line) */
  wildcard?: boolean;
  sink: TemplateSink;
}

/**
 * A node of the LMS-CFG: a logging site, a unit boundary (which prints nothing), or a point the
 * analyser cannot see past ("unknown": code it could not read runs there, e.g. a dynamic require
 * or eval), after which any template may follow.
 */
export interface LmsSite {
  /** "s<N>", unique within the profile */
  id: string;
  kind: 'log' | 'unit-begin' | 'unit-end' | 'unknown';
  /** for kind = log */
  template?: string;
  /** for unit-begin / unit-end: the unit loop */
  loop?: string;
  /** package-relative path, 1-based line */
  file: string;
  line: number;
  /** enclosing function, for people ("handler", "Class.method", "<module>", "<anonymous>@12") */
  fn: string;
  /**
   * The site runs in code whose call time the analyser cannot know: a callback handed to a library
   * (`request(opts, cb)`, `.then(cb)`, `emitter.on('x', cb)`, `setTimeout(cb)`), a promise nobody
   * awaits, a function kept as a value and called from elsewhere. Its line may appear at any point
   * of the activation; the sequence check accepts it anywhere, without losing its place.
   */
  deferred?: boolean;
  /** for kind = unknown: why the analyser could not follow the code there */
  why?: string;
}

/** A loop whose iterations are execution units (it does I/O: await, fs, network, DynamoDB...). */
export interface UnitLoop {
  id: string;
  file: string;
  line: number;
  fn: string;
  /** what made it a unit loop, e.g. ["await", "call fs.writeFileSync"] */
  io: string[];
  /** for-of/for/while/do/for-in, or array callback ("forEach", "map") */
  form: string;
  /** iterations may run concurrently (an async callback of map/forEach): their logs interleave */
  concurrent?: boolean;
}

export const ENTRY = '$entry';
export const EXIT = '$exit';

/**
 * The LMS-CFG: `edges[a]` lists the sites (or EXIT) that can come right after site a (or ENTRY).
 * ENTRY leads to the handler's first sites and to those of the module's top-level code (printed
 * once, at cold start, before the handler runs), which then lead to the handler's.
 */
export interface LmsCfg {
  sites: LmsSite[];
  edges: Record<string, string[]>;
}

export interface LmsProfile {
  v: typeof LMS_PROFILE_VERSION;
  /** the entry file, package-relative */
  entry: string;
  /** the handler export analysed ("main" unless told otherwise) */
  handler: string;
  /** package-relative files analysed (the entry and the local modules it loads) */
  files: string[];
  templates: LmsTemplate[];
  cfg: LmsCfg;
  units: UnitLoop[];
  /** what the analyser could not follow, for people (dynamic require, unresolved handler...) */
  notes: string[];
  stats: { files: number; logCalls: number; templates: number; sites: number; edges: number; ms: number };
}

/** A log line recognised as one template. */
export interface LmsMatch {
  templateId: string;
  /** one string per hole, in order: render(templateId, values) gives the line back exactly */
  values: string[];
  /** the template is a successor of the previous one in the LMS-CFG (false: out of order, or no previous) */
  expected: boolean;
  /**
   * Set when the line was a JSON object (winston's json format, or any JSON logger) and the template
   * matched its `message` field: the object's JSON with `message` set to "" (keeps key order).
   */
  envelope?: string;
}

export type DeviationKind = 'out-of-order' | 'unknown-template' | 'unit-end-missing' | 'end-missing';

/** Something the observed sequence of templates shows that the LMS-CFG cannot produce. */
export interface Deviation {
  kind: DeviationKind;
  /** index in the sequence given to checkSequence (the sequence length for end-missing) */
  index: number;
  templateId?: string;
  /** template before it (undefined at the start) */
  previous?: string;
  /** templates the LMS-CFG allows at that point */
  expected: string[];
  message: string;
}
