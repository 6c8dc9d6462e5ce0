// serverless-openwhisk 0.18 never binds the feeds of a service's triggers on `sls deploy`: its
// deployTriggers sets every trigger's `feed` to undefined (to send the trigger without it) before
// deployFeeds looks for them, so a `schedule:` event (a trigger on /whisk.system/alarms/alarm)
// is created but never fires. The feeds are remembered before deploy and bound after it (after
// the rules, so the first firing finds them), as deployFeeds meant to: delete, then create.

export interface FeedSpec {
  /** e.g. `alarms/alarm` */
  feedName: string;
  /** the feed's namespace, e.g. `whisk.system` */
  namespace?: string;
  /** the trigger, fully qualified */
  trigger: string;
  params?: Record<string, unknown>;
}

export interface FeedClient {
  feeds: {
    create(feed: FeedSpec): Promise<unknown>;
    delete(feed: FeedSpec): Promise<unknown>;
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The feeds of the compiled triggers (`service.triggers`, filled by serverless-openwhisk at package time). */
export function feedsOf(triggers: unknown): FeedSpec[] {
  if (!isObject(triggers)) return [];
  const out: FeedSpec[] = [];
  for (const t of Object.values(triggers)) {
    const feed = isObject(t) ? t.feed : undefined;
    if (isObject(feed) && typeof feed.feedName === 'string' && typeof feed.trigger === 'string') {
      out.push({ ...feed, feedName: feed.feedName, trigger: feed.trigger } as FeedSpec);
    }
  }
  return out;
}

/** Binds each feed; a failure names the trigger and stops the deploy, as serverless-openwhisk's own would. */
export async function bindFeeds(client: FeedClient, feeds: FeedSpec[], log: (line: string) => void): Promise<void> {
  for (const feed of feeds) {
    await client.feeds.delete(feed).catch(() => undefined); // none bound yet: nothing to delete
    try {
      await client.feeds.create(feed);
    } catch (err) {
      throw new Error(`Failed to bind the feed ${feed.namespace ? `/${feed.namespace}/` : ''}${feed.feedName} to trigger ${feed.trigger}: ${(err as Error).message}`);
    }
    log(`provenance: bound feed ${feed.feedName} to trigger ${feed.trigger}`);
  }
}
