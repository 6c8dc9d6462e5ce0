// A Node action archive wrapped the way the plugin wraps one: the handler's own file, an entry that
// hands it to the wrapper, and the wrapper bundle (dist/wrapper/bundle.js, from `npm run build`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import AdmZip from 'adm-zip';
import { packageRoot } from '../package/root';

const ENTRY = `
const { wrapHandler } = require('./.provenance/bundle.js');
exports.main = wrapHandler(() => require('./handler.js'), 'main');
`;

/** `handler` is the source of handler.js, exporting `main`. */
export function wrappedActionZip(handler: string): Buffer {
  const zip = new AdmZip();
  zip.addFile('package.json', Buffer.from(JSON.stringify({ name: 'action', main: 'entry.js' })));
  zip.addFile('entry.js', Buffer.from(ENTRY));
  zip.addFile('handler.js', Buffer.from(handler));
  zip.addFile('.provenance/bundle.js', fs.readFileSync(path.join(packageRoot(), 'dist/wrapper/bundle.js')));
  return zip.toBuffer();
}
