// Loads an action's entry point the way OpenWhisk's Node runtime does: a base64 zip is written to a
// file, unpacked by the `unzip` command and required as a package (package.json `main`, else
// index.js); plain code is one JavaScript file whose top-level function (or export) named by `main`
// is the entry point.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type ActionMain = (params: Record<string, unknown>) => unknown;

function walk(root: unknown, dotted: string): unknown {
  let v: unknown = root;
  for (const part of dotted.split('.')) {
    if (v === null || v === undefined) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * Unpacks the archive with Info-ZIP's unzip, as OpenWhisk's runtime does (`unzip -qq`): natively,
 * so that an artifact's size costs its cold start what it costs there, and not a JavaScript
 * inflate and CRC-32 over every byte. unzip leaves out `..` path components.
 */
function unpack(base64: string, dir: string, target: string): void {
  const archive = path.join(dir, 'action.zip');
  fs.writeFileSync(archive, base64, 'base64');
  try {
    // found on the PATH by the spawn itself (without one, in /bin and /usr/bin, where Debian puts it)
    execFileSync('unzip', ['-qq', '-o', archive, '-d', target], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('the action runtime needs the unzip command to unpack a zipped action, as OpenWhisk\'s Node runtime does: install it (apt-get install unzip)');
    const said = e.stderr?.toString('utf8').trim().split('\n')[0];
    throw new Error(`There was an error uncompressing the action Zip archive${said ? `: ${said}` : ''}`);
  } finally {
    fs.rmSync(archive, { force: true });
  }
}

function loadZip(base64: string, dir: string, main: string): ActionMain {
  const target = path.join(dir, 'action');
  fs.mkdirSync(target, { recursive: true });
  unpack(base64, dir, target);
  if (!fs.existsSync(path.join(target, 'package.json')) && !fs.existsSync(path.join(target, 'index.js'))) {
    throw new Error('Zipped actions must contain either package.json or index.js at the root.');
  }
  // Like OpenWhisk's runtime: the action runs with its unpacked directory as working directory.
  process.chdir(target);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(target) as unknown;
  return entry(walk(mod, main), main);
}

interface CompilableModule {
  filename: string;
  paths: string[];
  exports: unknown;
  _compile(code: string, filename: string): void;
}

function loadPlainCode(code: string, dir: string, main: string): ActionMain {
  const file = path.join(dir, 'action.js');
  fs.writeFileSync(file, code);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require('node:module') as {
    new (id: string): CompilableModule;
    _nodeModulePaths(dir: string): string[];
  };
  const m = new Module(file);
  m.filename = file;
  m.paths = Module._nodeModulePaths(dir);
  // A plain action declares `function main` at top level without exporting it: look the name up
  // from inside the module's own scope (direct eval), then fall back to its exports.
  const probe = `\n;module.exports = module.exports || {}; Object.defineProperty(module, '__owMain', { value: (() => { try { return eval(${JSON.stringify(main)}); } catch (e) { return undefined; } })() });`;
  m._compile(code + probe, file);
  const found = (m as unknown as { __owMain?: unknown }).__owMain ?? walk(m.exports, main);
  return entry(found, main);
}

function entry(found: unknown, main: string): ActionMain {
  if (typeof found !== 'function') throw new Error(`Action entrypoint '${main}' is not a function.`);
  return found as ActionMain;
}

export function loadAction(value: { code: string; binary?: boolean; main?: string }, dir: string): ActionMain {
  const main = value.main || 'main';
  return value.binary ? loadZip(value.code, dir, main) : loadPlainCode(value.code, dir, main);
}
