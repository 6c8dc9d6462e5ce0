// The subscriber publish notifies: a real HTTP peer on 127.0.0.1 that keeps what it received.
import { listenOnLoopback } from './loopback-http';

export interface WebhookReceiver {
  url: string;
  port: number;
  received: unknown[];
  stop(): Promise<void>;
}

export async function startWebhookReceiver(options: { port?: number } = {}): Promise<WebhookReceiver> {
  const received: unknown[] = [];
  const server = await listenOnLoopback(({ method, body }) => {
    if (method !== 'POST') return { status: 405, body: { error: 'POST events here' } };
    received.push(body);
    return { status: 204 };
  }, options.port);
  return { url: `${server.url}/events`, port: server.port, received, stop: server.stop };
}
