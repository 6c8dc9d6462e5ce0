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
}

export const RUN_ENV_FIELDS = [
  'namespace',
  'action_name',
  'action_version',
  'activation_id',
  'transaction_id',
  'deadline',
  'api_key',
] as const;

/** The runtime writes `<port>\n` to this fd when it listens (the platform passes a pipe there). */
export const READY_FD = 3;
/** Optional fixed port for the runtime (default: any free port on 127.0.0.1). */
export const PORT_ENV = '__SP_RUNTIME_PORT';
/** Directory the runtime unpacks the action's code into (default: its working directory). */
export const CODE_DIR_ENV = '__SP_CODE_DIR';
