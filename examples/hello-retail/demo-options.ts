// The demo's command line: `--store DIR` (else $PROVENANCE_STORE, else ./.provenance).
import { resolve } from 'node:path';
import { DEFAULT_STORE_DIR } from '../../store/types';

export interface DemoOptions {
  storeDir: string;
}

export function parseDemoArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): DemoOptions {
  let store = env.PROVENANCE_STORE || DEFAULT_STORE_DIR;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--store') {
      const value = argv[++i];
      if (!value) throw new Error('--store needs a directory, e.g. --store ./.provenance');
      store = value;
    } else if (arg.startsWith('--store=')) {
      store = arg.slice('--store='.length);
    } else {
      throw new Error(`unknown option ${arg} (the demo takes only --store DIR)`);
    }
  }
  return { storeDir: resolve(store) };
}
