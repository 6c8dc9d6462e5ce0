// serverless-openwhisk workaround, trigger feeds: see feed-repair.ts. The feeds are remembered before
// its deploy drops them, and bound once it deployed the rest.
import { bindFeeds, feedsOf, type FeedClient } from '../feed-repair';
import type { PluginContext } from '../context';

export function rememberFeeds(ctx: PluginContext): void {
  ctx.feeds = feedsOf((ctx.serverless.service as { triggers?: unknown }).triggers);
}

export async function bindDroppedFeeds(ctx: PluginContext): Promise<void> {
  if (ctx.feeds.length === 0) return;
  const provider = (ctx.serverless as { getProvider?: (name: string) => { client?: () => Promise<FeedClient> } | undefined }).getProvider?.('openwhisk');
  if (!provider?.client) return;
  await bindFeeds(await provider.client(), ctx.feeds, (line) => ctx.log.info(line));
}
