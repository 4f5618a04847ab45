/** Small pieces of node:http the kit's stand-in servers share (the scripted upstream, the Grafana emulator). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The whole body of a request. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A stand-in HTTP server of the tests on a free loopback port: start() listens and resolves with its base
 * URL, stop() closes it with every connection (kept-alive or mid-stream). Subclasses answer in handle();
 * a request whose handler throws is answered by fail().
 */
export abstract class LoopbackServer {
  private server?: Server;

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      void this.handle(req, res).catch((err: Error) => this.fail(res, err));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

  /** Answers a request whose handler threw. */
  protected abstract fail(res: ServerResponse, err: Error): void;
}
