// A TCP relay on 127.0.0.1 in front of a real server (DynamoDB, the correlator), which a test takes
// down (listener closed, open connections cut) and brings back on the same port: an outage of the
// backend as its clients see it, without stopping the backend.
import * as net from 'node:net';
import { freePort } from './agent-harness';

export interface TcpRelay {
  port: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** `watch` makes a reader of each client connection's bytes (what the client sends), e.g. to count requests. */
export async function startRelay(target: number, watch?: () => (chunk: Buffer) => void): Promise<TcpRelay> {
  const port = await freePort();
  const open = new Set<net.Socket>();
  let server: net.Server | undefined;
  const up = () =>
    new Promise<void>((done, fail) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target, '127.0.0.1');
        open.add(client).add(upstream);
        const cut = () => {
          client.destroy();
          upstream.destroy();
          open.delete(client);
          open.delete(upstream);
        };
        client.on('error', cut).on('close', cut);
        upstream.on('error', cut).on('close', cut);
        if (watch) client.on('data', watch());
        client.pipe(upstream).pipe(client);
      });
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => done());
    });
  const down = () =>
    new Promise<void>((done) => {
      for (const s of open) s.destroy();
      open.clear();
      if (!server) return done();
      server.close(() => done());
      server = undefined;
    });
  await up();
  return { port, up, down, close: down };
}
