// serverless-openwhisk workaround, `sls package --package DIR` (or package.path): it leaves the zips
// in .serverless/; put them in DIR, as the AWS provider does.
import { PREFIX, type PluginContext } from '../context';
import { moveArtifacts } from '../package-dir';

export function movePackagedArtifacts(ctx: PluginContext): void {
  const target = (ctx.options.package as string | undefined) ?? ctx.serverless.service.package.path;
  if (!ctx.isOpenWhisk() || !target) return;
  const moved = moveArtifacts(ctx.serverless.serviceDir, target);
  if (moved.length) ctx.log.info(`${PREFIX} moved ${moved.join(', ')} to ${target}`);
}
