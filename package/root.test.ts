import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_NAME, packageRoot } from './root';

describe('packageRoot', () => {
  it('is the folder of this package\'s package.json, from anywhere inside it', () => {
    const root = path.resolve(__dirname, '..');
    expect(packageRoot()).toBe(root);
    expect(packageRoot(path.join(root, 'correlator', 'ingest'))).toBe(root);
  });

  it('walks past another package\'s package.json and an unreadable one', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-root-'));
    try {
      const inner = path.join(tmp, 'node_modules', PACKAGE_NAME, 'dist', 'x');
      fs.mkdirSync(inner, { recursive: true });
      fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'someone-else' }));
      fs.writeFileSync(path.join(tmp, 'node_modules', PACKAGE_NAME, 'package.json'), JSON.stringify({ name: PACKAGE_NAME }));
      fs.writeFileSync(path.join(tmp, 'node_modules', PACKAGE_NAME, 'dist', 'package.json'), '{not json');
      expect(packageRoot(inner)).toBe(path.join(tmp, 'node_modules', PACKAGE_NAME));
      expect(() => packageRoot(tmp)).toThrow(/cannot find its own package\.json above/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
