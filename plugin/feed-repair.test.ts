import { describe, expect, it } from 'vitest';
import { bindFeeds, feedsOf, type FeedSpec } from './feed-repair';

const alarm: FeedSpec = { feedName: 'alarms/alarm', namespace: 'whisk.system', trigger: '/guest/tick', params: { cron: '* * * * *' } };

describe('feed repair', () => {
  it.each([
    ['no triggers', undefined, []],
    ['a trigger without feed', { t: { triggerName: 't' } }, []],
    ['a feed masked by deployTriggers', { t: { triggerName: 't', feed: undefined } }, []],
    ['an alarm feed', { tick: { triggerName: 'tick', feed: alarm } }, [alarm]],
  ])('finds the feeds of %s', (_what, triggers, expected) => {
    expect(feedsOf(triggers)).toEqual(expected);
  });

  it('deletes, then creates each feed; a failed create names the trigger', async () => {
    const calls: string[] = [];
    const client = {
      feeds: {
        delete: async (f: FeedSpec) => {
          calls.push(`delete ${f.trigger}`);
          throw new Error('not found');
        },
        create: async (f: FeedSpec) => {
          calls.push(`create ${f.trigger}`);
          if (f.trigger.endsWith('bad')) throw new Error('HTTP 502');
        },
      },
    };
    await bindFeeds(client, [alarm], () => {});
    expect(calls).toEqual(['delete /guest/tick', 'create /guest/tick']);
    await expect(bindFeeds(client, [{ ...alarm, trigger: '/guest/bad' }], () => {})).rejects.toThrow('Failed to bind the feed /whisk.system/alarms/alarm to trigger /guest/bad: HTTP 502');
  });
});
