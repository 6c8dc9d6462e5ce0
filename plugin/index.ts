// Entry point of the package (package.json "main"/"exports"): the Serverless Framework loads
// the default export as the plugin; the named exports are the plugin's pure parts.
import { ServerlessProvenancePlugin } from './plugin';

// The AWS SDK warns under Node 20 about its future support policy every time a client is made
// (the store, at deploy and on `sls provenance …`): noise in the user's terminal, as in the CLI.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default ServerlessProvenancePlugin;
export { ServerlessProvenancePlugin };
export { redirectHandlers, restoreHandlers } from './redirect';
export type { FunctionDefinition, GeneratedEntry, RedirectOptions, RedirectResult, SkippedFunction } from './redirect';
export { rewritePositionalArg } from './argv';
export { parseProvenanceConfig, PROVENANCE_CONFIG_SCHEMA, ProvenanceConfigError } from './config';
export type { ProvenanceConfig } from './config';
