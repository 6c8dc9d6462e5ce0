// The OpenWhisk action-runtime protocol as this runtime speaks it (shared by the runtime and the
// platform; no imports so the runtime stays small).

/** Written once to stdout and once to stderr after every activation (and after a failed init). */
export const ACTIVATION_SENTINEL = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX';

/** POST /init body */
export interface InitMessage {
  value: {
    name?: string;
    main?: string;
    code: string;
    binary?: boolean;
    env?: Record<string, string>;
  };
}

/** POST /run body: each top-level field except `value` is copied into process.env.__OW_<FIELD>. */
export interface RunMessage {
  value: Record<string, unknown>;
  namespace: string;
  action_name: string;
  action_version?: string;
  activation_id: string;
  transaction_id: string;
  deadline: string;
  api_key?: string;
  /**
   * The activation whose output is this activation's input, when the platform started it: the
   * previous component of a sequence (or the sequence itself for the first), the trigger firing
   * whose rule ran it. An extension of the embedded platform (a real OpenWhisk does not send it);
   * the wrapper reports it as the parent, so the graph follows these hops like SDK invocations.
   */
  parent_activation_id?: string;
  /** what the parent is: a `sequence` (first component), a `trigger` (rule action), an `action` (previous component) */
  parent_kind?: ParentKind | '';
  /** the parent's fully qualified name, e.g. `/guest/leak_trigger` */
  parent_name?: string;
}

export type ParentKind = 'sequence' | 'trigger' | 'action';

export const RUN_ENV_FIELDS = [
  'namespace',
  'action_name',
  'action_version',
  'activation_id',
  'transaction_id',
  'deadline',
  'api_key',
  'parent_activation_id',
  'parent_kind',
  'parent_name',
] as const;

/**
 * Set by the platform in a container whose action runs activations concurrently (OpenWhisk's
 * `limits.concurrency` > 1); without it, the platform sends the next /run only once the previous
 * one answered. The runtime and the wrapper read it the same way.
 */
export const ALLOW_CONCURRENT_ENV = '__OW_ALLOW_CONCURRENT';

/** Whether a value of ALLOW_CONCURRENT_ENV says "concurrent" (as OpenWhisk's runtimes read it). */
export function allowsConcurrency(value: string | undefined): boolean {
  return ['true', '1', 'yes'].includes((value ?? '').toLowerCase());
}

/** The runtime writes `<port>\n` to this fd when it listens (the platform passes a pipe there). */
export const READY_FD = 3;
/** Optional fixed port for the runtime (default: any free port on 127.0.0.1). */
export const PORT_ENV = '__SP_RUNTIME_PORT';
/** Directory the runtime unpacks the action's code into (default: its working directory). */
export const CODE_DIR_ENV = '__SP_CODE_DIR';
