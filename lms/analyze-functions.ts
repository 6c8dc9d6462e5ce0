// Package-time LMS analysis: runs the static analyser on each wrapped function's own
// handler file and export. A failure never stops packaging: the function simply has no profile and
// the caller warns, naming the file.
import * as path from 'node:path';
import { analyzeAction } from './analyze';
import { profileHash } from './profile-hash';
import type { LmsProfile } from './types';

/** One function to analyse: its handler file (relative to the service) and export. */
export interface FunctionEntry {
  function: string;
  handlerFile: string;
  exportPath: string;
}

export interface AnalyzedFunction {
  function: string;
  /** service-relative handler file */
  handlerFile: string;
  exportPath: string;
  profile?: LmsProfile;
  /** content hash naming the profile (lms/profile-hash.ts) */
  hash?: string;
  /** wall-clock time of the analysis, ms */
  ms: number;
  /** why there is no profile */
  error?: string;
}

/** The analyser's handler name: the last segment of a nested export ("handlers.main" -> "main") is what it can resolve. */
function handlerName(exportPath: string): string {
  const parts = exportPath.split('.');
  return parts[parts.length - 1] || 'main';
}

export function analyzeFunction(serviceDir: string, entry: FunctionEntry): AnalyzedFunction {
  const t0 = performance.now();
  const base = { function: entry.function, handlerFile: entry.handlerFile, exportPath: entry.exportPath };
  try {
    const profile = analyzeAction(path.resolve(serviceDir, entry.handlerFile), { handler: handlerName(entry.exportPath) });
    return { ...base, profile, hash: profileHash(profile), ms: performance.now() - t0 };
  } catch (err) {
    return { ...base, ms: performance.now() - t0, error: err instanceof Error ? err.message : String(err) };
  }
}

export function analyzeFunctions(serviceDir: string, entries: ReadonlyArray<FunctionEntry>): AnalyzedFunction[] {
  return entries.map((e) => analyzeFunction(serviceDir, e));
}

/** The file of a function's profile inside the generated folder (and so inside the artifact). */
export function profileFileName(fn: string): string {
  return `${fn}.lms.json`;
}

/** One line for verbose output. */
export function describeAnalysis(a: AnalyzedFunction): string {
  const ms = `${a.ms.toFixed(0)} ms`;
  if (!a.profile) return `LMS analysis of "${a.function}" (${a.handlerFile}) failed after ${ms}: ${a.error}`;
  const s = a.profile.stats;
  return `LMS analysis of "${a.function}" (${a.handlerFile}): ${s.templates} templates, ${s.sites} sites, ${a.profile.units.length} unit loop(s) in ${ms} (profile ${a.hash})`;
}
