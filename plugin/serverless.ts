// The small part of the Serverless Framework v3 plugin API this plugin uses. The framework
// ships no types; these describe serverless@3.40 (lib/serverless.js, lib/classes/*) and
// serverless-openwhisk@0.18 (which adds `service.actions` at package:compileFunctions).
import type { FunctionDefinition } from './redirect';

export interface ServerlessPackageConfig {
  patterns?: string[];
  individually?: boolean;
  artifact?: string;
  path?: string;
  disable?: boolean;
}

export interface ServerlessFunction extends FunctionDefinition {
  package?: ServerlessPackageConfig;
}

export interface ServerlessService {
  service: string;
  provider: { name: string; runtime?: string; [key: string]: unknown };
  functions: Record<string, ServerlessFunction>;
  custom?: Record<string, unknown>;
  package: ServerlessPackageConfig;
  /** OpenWhisk action resources, compiled by serverless-openwhisk at package:compileFunctions */
  actions?: Record<string, unknown>;
  getAllFunctions(): string[];
}

export interface Hook {
  hook: () => unknown;
}

export interface Serverless {
  serviceDir: string;
  service: ServerlessService;
  configSchemaHandler?: { defineCustomProperties(schema: object): void };
  pluginManager: { hooks: Record<string, Hook[] | undefined> };
  classes: { Error: new (message: string) => Error };
}

export interface PluginLog {
  notice(...text: string[]): void;
  info(...text: string[]): void;
  warning(...text: string[]): void;
}

/** The third constructor argument in v3 (absent in older versions and when used programmatically). */
export interface PluginUtils {
  log: PluginLog;
  writeText?: (text: string | string[]) => void;
}

export interface CommandOption {
  usage: string;
  type: 'string' | 'boolean' | 'multiple';
  required?: boolean;
  shortcut?: string;
}

export interface CommandDefinition {
  usage: string;
  type?: 'container' | 'entrypoint';
  lifecycleEvents?: string[];
  options?: Record<string, CommandOption>;
  commands?: Record<string, CommandDefinition>;
}

export type CliOptions = Record<string, unknown>;
