// Serves the node agent's /metrics (Prometheus text) and /healthz on a local address (side effects).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeAgentStats } from './daemon/stats';
import { renderMetrics } from './metrics';

export interface MetricsServer {
  /** http://host:port */
  url: string;
  close(): Promise<void>;
}

/** `HOST:PORT` (port 0: any free one). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new Error(`--metrics ${JSON.stringify(text)}: give HOST:PORT, e.g. 127.0.0.1:9464`);
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port };
}

export async function startMetricsServer(listen: string, source: { stats(): NodeAgentStats; healthy(): { ok: boolean; why?: string } }): Promise<MetricsServer> {
  const { host, port } = parseListen(listen);
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/healthz') {
      const h = source.healthy();
      res.writeHead(h.ok ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(h.ok ? 'ok\n' : `${h.why}\n`);
      return;
    }
    if (url === '/metrics') {
      renderMetrics(source.stats()).then(
        ({ contentType, text }) => {
          res.writeHead(200, { 'content-type': contentType });
          res.end(text);
        },
        (err: Error) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`${err.message}\n`);
        },
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('try /metrics or /healthz\n');
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done());
  });
  const a = server.address() as AddressInfo;
  return {
    url: `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
