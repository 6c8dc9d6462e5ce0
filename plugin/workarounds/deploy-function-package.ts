// serverless-openwhisk workaround, `sls deploy -f FN`: it calls the framework's packageFunction, which
// records the zip in `functionObject.package.artifact` only when a `package` object exists; v3 no
// longer adds one, so serverless-openwhisk's compile step then fails reading `package.artifact` of
// undefined. Give the function an empty one.
import type { PluginContext } from '../context';

export function ensurePackageConfig(ctx: PluginContext, name: string): void {
  const fn = ctx.serverless.service.functions?.[name];
  if (fn && fn.sequence === undefined && fn.package === undefined) fn.package = {};
}
