// Benign hello-retail-like traffic as agent batches (pure): each purchase request runs purchase,
// which reads the product and invokes get-price (price cache in its container's /tmp: filled on a
// cold start, read on warm ones), authorize-cc (calls the payment provider) and publish (sends the
// order event); purchase then writes the order. Containers are reused warm, as on a real invoker;
// a cold start loads the action's modules from its artifact. Lines are real, signed wrapper lines
// (test/batch-builder.ts uses the wrapper's own encoder), shipped in batches of whole activations.
import { ActivationWriter, ContainerOutput, makeBatch } from '../test/batch-builder';
import type { Batch, ContainerInfo } from '../protocol/batch';

export interface TrafficOptions {
  /** purchase requests (4 activations each) */
  requests: number;
  /** warm containers per action (a request picks one round-robin) */
  containersPerAction?: number;
  /** module files a cold start loads from the action's artifact */
  coldModules?: number;
  /** requests per agent batch */
  requestsPerBatch?: number;
  /** products in the catalogue (the DynamoDB items purchases read) */
  products?: number;
  /** time of the first request, ms since the epoch */
  start?: number;
  /** distinguishes runs: request and activation ids include it */
  run?: string;
}

export const ACTIVATIONS_PER_REQUEST = 4;
const INVOKER = 'bench-invoker';
const ACTIONS = ['purchase', 'get-price', 'authorize-cc', 'publish'] as const;
type Action = (typeof ACTIONS)[number];

/** The batches of `requests` purchases, in the order an agent would ship them. */
export function helloRetailBatches(options: TrafficOptions): Batch[] {
  const { requests, containersPerAction = 8, coldModules = 40, requestsPerBatch = 10, products = 50, start = Date.UTC(2026, 11, 1, 9), run = 'b' } = options;
  const containers = new Map<string, ContainerOutput>();
  const warm = new Set<string>();
  const batches: Batch[] = [];
  let pending = new Set<ContainerOutput>();
  let keySeq = 0;
  const key = () => (keySeq++ % 0xffffffff).toString(16).padStart(8, '0').repeat(8);

  const containerFor = (action: Action, n: number): ContainerOutput => {
    const name = `${run}-${action}-${n % containersPerAction}`;
    let out = containers.get(name);
    if (!out) {
      const info: ContainerInfo = { container: name, invoker: INVOKER, action: `/guest/${action}`, started: start - 1_000 };
      containers.set(name, (out = new ContainerOutput(info)));
    }
    pending.add(out);
    return out;
  };

  const flush = (n: number) => {
    const outputs = [...pending];
    const lines = outputs.flatMap((o) => o.lines.splice(0)).sort((a, b) => a.time - b.time);
    batches.push(makeBatch(INVOKER, n, outputs, lines));
    pending = new Set();
  };

  for (let r = 0; r < requests; r++) {
    const t = start + r * 250;
    const request = `${run}-req-${r}`;
    const product = `p-${r % products}`;
    const ids = Object.fromEntries(ACTIONS.map((a) => [a, `${run}${r.toString(16).padStart(8, '0')}${a.replace(/-/g, '')}`.padEnd(32, '0').slice(0, 32)])) as Record<Action, string>;
    const writers = Object.fromEntries(ACTIONS.map((a) => [a, new ActivationWriter(ids[a], request, key())])) as Record<Action, ActivationWriter>;
    const begin = (action: Action, at: number) => {
      const out = containerFor(action, r);
      const cold = !warm.has(out.info.container);
      warm.add(out.info.container);
      out.write(writers[action].begin(at, { act: `/guest/${action}`, ns: 'guest', pid: 7, host: out.info.container, cold, ...(action === 'purchase' ? {} : { pa: ids.purchase }) }), at);
      if (cold) {
        // The runtime loads the action's code from its artifact on the first activation.
        for (let m = 0; m < coldModules; m++) {
          out.write(writers[action].record({ t: 'fs', op: 'load', path: `/action/node_modules/dep${m % 7}/lib/file${m}.js` }, at + 1), at + 1);
        }
      }
      return { out, cold };
    };
    const end = (action: Action, out: ContainerOutput, at: number) =>
      out.write(writers[action].record({ t: 'end', ok: true, dur: 9 }, at), at).sentinel(at + 1);

    // purchase: reads the product, invokes the three others, writes the order
    const P = begin('purchase', t);
    P.out
      .write(writers.purchase.log(`purchase of ${product} by shopper-${r % 97}`), t + 2)
      .write(writers.purchase.record({ t: 'ddb', op: 'GetItem', table: 'hello-retail-products', key: { id: product } }, t + 3), t + 3);

    const G = begin('get-price', t + 10);
    G.out
      .write(writers['get-price'].record({ t: 'fs', op: G.cold ? 'write' : 'read', path: '/tmp/hello-retail/price-cache.json', n: 512 }, t + 12), t + 12)
      .write(writers['get-price'].record({ t: 'ddb', op: 'GetItem', table: 'hello-retail-prices', key: { productId: product } }, t + 13), t + 13)
      .write(writers['get-price'].log(`price of ${product} is ${10 + (r % 40)}`), t + 14);
    end('get-price', G.out, t + 18);
    P.out.write(writers.purchase.record({ t: 'invoke', to: 'get-price', child: ids['get-price'], blocking: true, st: t + 9 }, t + 20), t + 20);

    const A = begin('authorize-cc', t + 30);
    A.out
      .write(writers['authorize-cc'].record({ t: 'http', method: 'POST', url: 'http://127.0.0.1:8443/authorize', host: '127.0.0.1', port: 8443, status: 200 }, t + 35), t + 35)
      .write(writers['authorize-cc'].log(`authorized ${request}`), t + 36);
    end('authorize-cc', A.out, t + 40);
    P.out.write(writers.purchase.record({ t: 'invoke', to: 'authorize-cc', child: ids['authorize-cc'], blocking: true, st: t + 29 }, t + 42), t + 42);

    const B = begin('publish', t + 50);
    B.out
      .write(writers.publish.record({ t: 'net', op: 'connect', addr: '127.0.0.1', port: 4222, proto: 'tcp' }, t + 52), t + 52)
      .write(writers.publish.record({ t: 'net', op: 'send', addr: '127.0.0.1', port: 4222, proto: 'tcp', n: 180 }, t + 53), t + 53)
      .write(writers.publish.log(`published order ${request}`), t + 54);
    end('publish', B.out, t + 58);
    P.out
      .write(writers.purchase.record({ t: 'invoke', to: 'publish', child: ids.publish, blocking: true, st: t + 49 }, t + 60), t + 60)
      .write(writers.purchase.record({ t: 'ddb', op: 'PutItem', table: 'hello-retail-purchases', key: { id: `order-${request}` } }, t + 62), t + 62)
      .write(writers.purchase.log(`order order-${request} placed`), t + 63);
    end('purchase', P.out, t + 65);

    if ((r + 1) % requestsPerBatch === 0 || r === requests - 1) flush(batches.length + 1);
  }
  return batches;
}
