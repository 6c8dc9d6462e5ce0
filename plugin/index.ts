// Entry point of the package (package.json "main"/"exports"): the Serverless Framework loads
// the default export as the plugin; the named exports are the plugin's pure parts.
import { ServerlessProvenancePlugin } from './plugin';

export default ServerlessProvenancePlugin;
export { ServerlessProvenancePlugin };
export { redirectHandlers, restoreHandlers } from './redirect';
export type { FunctionDefinition, GeneratedEntry, RedirectOptions, RedirectResult, SkippedFunction } from './redirect';
export { rewritePositionalArg } from './argv';
export { parseProvenanceConfig, PROVENANCE_CONFIG_SCHEMA, ProvenanceConfigError } from './config';
export type { ProvenanceConfig } from './config';
