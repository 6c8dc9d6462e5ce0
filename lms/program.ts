// Loads an action's entry file and the local modules it loads (relative require/import inside its
// own package, never node_modules) into one TypeScript program, so the checker can resolve which
// function a call reaches across files. The only side effects of the analyser live here (reading files).
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

export interface LocalProgram {
  program: ts.Program;
  checker: ts.TypeChecker;
  /** directory of the nearest package.json above the entry file */
  packageRoot: string;
  entry: ts.SourceFile;
  /** the entry and every local module reached from it */
  files: ts.SourceFile[];
  notes: string[];
}

const SOURCE_EXT = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/** Nearest directory at or above `dir` holding a package.json (or `dir` itself when none). */
export function findPackageRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) return dir;
  }
}

function isLocal(file: string, root: string): boolean {
  const rel = path.relative(root, file);
  return !rel.startsWith('..') && !path.isAbsolute(rel) && !rel.split(path.sep).includes('node_modules');
}

export function loadLocalProgram(entryFile: string): LocalProgram {
  const entry = path.resolve(entryFile);
  if (!fs.existsSync(entry) || !fs.statSync(entry).isFile()) {
    throw new Error(`lms: entry file not found: ${entry} (give the action's handler source file)`);
  }
  if (!SOURCE_EXT.test(entry)) {
    throw new Error(`lms: ${entry} is not a JavaScript or TypeScript source file (.js, .cjs, .mjs, .ts, .jsx, .tsx)`);
  }
  const packageRoot = findPackageRoot(path.dirname(entry));
  const options: ts.CompilerOptions = {
    allowJs: true,
    checkJs: false,
    noEmit: true,
    noLib: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    jsx: ts.JsxEmit.Preserve,
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options, true);
  const notes: string[] = [];
  const cache = ts.createModuleResolutionCache(packageRoot, (f) => f, options);
  // Only relative specifiers that land on a source file inside the package are followed:
  // the action's own modules, which the analyser must see; libraries are out of scope.
  host.resolveModuleNameLiterals = (literals, containingFile) =>
    literals.map((lit) => {
      const spec = lit.text;
      if (!spec.startsWith('.') && !spec.startsWith('/')) return { resolvedModule: undefined };
      const r = ts.resolveModuleName(spec, containingFile, options, host, cache).resolvedModule;
      let file = r?.resolvedFileName;
      if (file && file.endsWith('.d.ts')) {
        const js = file.replace(/\.d\.ts$/, '.js');
        file = fs.existsSync(js) ? js : undefined;
      }
      if (!file || !SOURCE_EXT.test(file) || !isLocal(file, packageRoot)) return { resolvedModule: undefined };
      const extension = extensionOf(file);
      return { resolvedModule: { resolvedFileName: file, extension, isExternalLibraryImport: false } };
    });
  const program = ts.createProgram({ rootNames: [entry], options, host });
  const entrySf = program.getSourceFile(entry);
  if (!entrySf) throw new Error(`lms: TypeScript could not load ${entry}`);
  const files = program.getSourceFiles().filter((sf) => !sf.isDeclarationFile && isLocal(sf.fileName, packageRoot));
  return { program, checker: program.getTypeChecker(), packageRoot, entry: entrySf, files, notes };
}

function extensionOf(file: string): ts.Extension {
  const ext = path.extname(file);
  const known: Record<string, ts.Extension> = {
    '.js': ts.Extension.Js,
    '.cjs': ts.Extension.Cjs,
    '.mjs': ts.Extension.Mjs,
    '.jsx': ts.Extension.Jsx,
    '.ts': ts.Extension.Ts,
    '.cts': ts.Extension.Cts,
    '.mts': ts.Extension.Mts,
    '.tsx': ts.Extension.Tsx,
  };
  return known[ext] ?? ts.Extension.Js;
}
