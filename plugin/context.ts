// What every hook of one plugin instance shares: the framework's objects, the log, the validated
// custom.provenance, and the state one command builds up between its hooks (what was prepared for
// packaging, the profiles analysed, the packaging time, the feeds to bind after deploy).
import { parseProvenanceConfig, ProvenanceConfigError, type ProvenanceConfig } from './config';
import { PACKAGE_NAME } from '../package/root';
import { serviceConfigOf } from './service-settings';
import type { FeedSpec } from './feed-repair';
import type { ServiceConfig } from '../store/types';
import type { LmsProfile } from '../lms/types';
import type { CliOptions, PluginLog, Serverless } from './serverless';

export const PREFIX = `${PACKAGE_NAME}:`;

export class PluginContext {
  private config: ProvenanceConfig | undefined;
  /** the service's own package patterns, while the generated folder is added to them */
  prepared: { patterns: string[] | undefined } | undefined;
  /** removes the generated folder should the process end without the framework's hooks */
  releaseGuard: (() => void) | undefined;
  /** LMS profiles of what was packaged, by hash: also written to the provenance store at deploy when it is reachable */
  readonly profiles = new Map<string, LmsProfile>();
  /** when this command packaged the service: the deployment's time, the same in the artifacts and the store */
  deployedAt: number | undefined;
  /** the feeds of the service's triggers, remembered before serverless-openwhisk's deploy drops them */
  feeds: FeedSpec[] = [];

  constructor(
    readonly serverless: Serverless,
    readonly options: CliOptions,
    readonly log: PluginLog,
  ) {}

  /** custom.provenance, validated once; a bad value stops the command with one clear error. */
  getConfig(): ProvenanceConfig {
    if (!this.config) {
      const { service } = this.serverless;
      try {
        this.config = parseProvenanceConfig(service.custom?.provenance, Object.keys(service.functions ?? {}));
      } catch (err) {
        if (err instanceof ProvenanceConfigError) {
          throw new this.serverless.classes.Error(`${err.message}\nFix custom.provenance in serverless.yml and run the command again.`);
        }
        throw err;
      }
    }
    return this.config;
  }

  isOpenWhisk(): boolean {
    return this.serverless.service.provider.name === 'openwhisk';
  }

  /** The service's analysis settings and actions as this command packages them (store/service-config.ts). */
  serviceSettings(): ServiceConfig {
    const { service } = this.serverless;
    const stage = String(this.options.stage ?? service.provider.stage ?? 'dev');
    this.deployedAt ??= Date.now();
    return serviceConfigOf({ service: service.service, stage, namespace: service.provider.namespace, functions: service.functions ?? {} }, this.getConfig(), this.deployedAt);
  }
}

export function consoleLog(): PluginLog {
  return {
    notice: (...t) => console.error(...t),
    info: () => undefined,
    warning: (...t) => console.error(...t),
  };
}
