// hello-retail on the embedded platform in docker mode (real Docker containers made like
// OpenWhisk's Docker invoker makes them, on a private dockerd), where provenance comes only from the
// node agent's own discovery, the containers' json-file logs and the kernel: a purchase's trace holds
// its activations across purchase, get-price and authorize-cc.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLocalSink } from '../correlator/local-sink';
import { invokeOverHttp } from '../examples/hello-retail/traffic';
import { startDockerd, type PrivateDockerd } from './dockerd';
import { startHelloRetail, type HelloRetail } from './hello-retail-harness';
import { describeNeeding } from './prerequisites';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

describeNeeding(process.getuid?.() === 0 ? null : 'dockerd needs root')('hello-retail with Docker containers and the node agent', () => {
  let d: PrivateDockerd;
  let shop: HelloRetail | undefined;
  const correlatorLog: string[] = [];

  beforeAll(async () => {
    d = await startDockerd();
    shop = await startHelloRetail({
      prefix: 'agent-hello-retail-',
      sink: ({ store }) => createLocalSink({ store, log: (l) => correlatorLog.push(l), platform: () => undefined }),
      platform: { containers: 'docker', dockerHost: `unix://${d.socket}` },
    });
  }, 300_000);

  afterAll(async () => {
    await shop?.stop();
    await d?.stop();
  }, 60_000);

  it("a purchase's trace holds its activations of purchase, get-price and authorize-cc", async () => {
    const requestId = `agent-hr-${randomBytes(3).toString('hex')}`;
    const outcome = await invokeOverHttp(
      shop!.access,
      {
        kind: 'purchase',
        fn: 'purchase',
        label: 'buy 1 shoe',
        params: { productId: 'shoe-trail-runner', quantity: 1, card: { number: '4242424242424242', expiry: '12/34', holder: 'Ada Shopper' }, customer: { email: 'ada@example.com', name: 'Ada Shopper' } },
      },
      requestId,
    );
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    await shop!.platform.flush();
    const graph = await shop!.store.getRequestGraph(requestId);
    const actions = new Set((graph?.nodes ?? []).filter((n) => n.kind === 'activation').map((n) => String((n as { action?: string }).action).split('/').pop()));
    expect([...actions].sort()).toEqual(expect.arrayContaining(['hello-retail-dev-authorize-cc', 'hello-retail-dev-get-price', 'hello-retail-dev-purchase']));
    expect(correlatorLog).toEqual([]);
  }, 120_000);
});
