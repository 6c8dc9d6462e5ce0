// Deploy time: what the correlator needs from this deploy. The settings and profiles travel inside
// every wrapped action (packaging.ts, deployment.ts); when this deploy can reach the provenance store
// too, they are also written there now, so they apply before the first activation. Failing to write
// them early is a warning: the actions still carry them.
import { profileStoreLocation, storeThere, writeProfiles } from './profile-store';
import { writeServiceConfig } from './service-config-store';
import { PREFIX, type PluginContext } from './context';
import { withDeployNamespace } from './deploy-namespace';
import { pullCredentials } from './pull-target';

export async function storeDeployState(ctx: PluginContext): Promise<void> {
  await storeProfiles(ctx);
  await storeServiceConfig(ctx);
}

/** The service's analysis settings (custom.provenance sensitive, allowlist, alerts) and its actions; unchanged settings write nothing. */
async function storeServiceConfig(ctx: PluginContext): Promise<void> {
  const config = ctx.getConfig();
  if (!ctx.isOpenWhisk() || !config.enabled) return;
  const packaged = ctx.serviceSettings();
  const { service, stage } = packaged;
  try {
    const location = profileStoreLocation(config, ctx.serverless.serviceDir);
    const where = `${location.endpoint ?? location.dir} (table ${location.table})`;
    // the API host is asked whose the deploy key is only when there is a store to write to
    let settings = packaged;
    if (storeThere(location)) {
      const named = await withDeployNamespace(packaged, pullCredentials());
      settings = named.settings;
      if (named.unresolved) ctx.log.info(`${PREFIX} the settings of ${service}/${stage} name their namespace \`_\` until an action delivers them (${named.unresolved})`);
    }
    const written = await writeServiceConfig(location, settings);
    if (written === 'no-store') {
      ctx.log.info(
        `${PREFIX} the analysis settings of ${service}/${stage} travel inside its wrapped actions; the correlator stores them at their first activation ` +
          `(no provenance store at ${location.dir} to write them to now)`,
      );
    } else {
      ctx.log.info(`${PREFIX} analysis settings of ${service}/${stage} (${settings.actions.length} action(s)) ${written === 'written' ? 'stored' : 'unchanged'} in ${where}`);
    }
  } catch (err) {
    ctx.log.warning(
      `${PREFIX} could not write the analysis settings of ${service}/${stage} to the provenance store now (${(err as Error).message}); ` +
        'they travel inside the wrapped actions and reach the correlator at their first activation.',
    );
  }
}

/** The packaged functions' profiles. */
async function storeProfiles(ctx: PluginContext): Promise<void> {
  if (ctx.profiles.size === 0 || !ctx.isOpenWhisk()) return;
  try {
    const location = profileStoreLocation(ctx.getConfig(), ctx.serverless.serviceDir);
    const where = `${location.endpoint ?? location.dir} (table ${location.table})`;
    if (await writeProfiles(location, ctx.profiles)) ctx.log.info(`${PREFIX} stored ${ctx.profiles.size} LMS profile(s) in ${where}`);
    else ctx.log.info(`${PREFIX} the LMS profiles travel inside the wrapped actions (no provenance store at ${location.dir} to write them to now)`);
  } catch (err) {
    ctx.log.warning(`${PREFIX} could not write the LMS profiles to the provenance store now (${(err as Error).message}); they travel inside the wrapped actions.`);
  }
}
