/**
 * A TCP relay in front of the real Ollama that can hold requests: while held, bytes from clients are
 * buffered instead of forwarded, so requests stay in flight at the sidecar for as long as a test needs
 * (deterministic in-flight and queue-depth checks). Released, everything flows through unchanged.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface HoldRelay {
  url: string;
  hold(): void;
  release(): void;
  /** Connections that have sent bytes while held. */
  readonly heldConnections: number;
  close(): Promise<void>;
}

export async function startHoldRelay(upstream: string): Promise<HoldRelay> {
  const target = new URL(upstream);
  let held = false;
  const waiting: (() => void)[] = [];
  const heldSockets = new Set<Socket>();
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    const up = connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(up);
    client.on('close', () => sockets.delete(client));
    up.on('close', () => sockets.delete(up));
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
    client.on('data', (buf) => {
      if (!held) {
        up.write(buf);
        return;
      }
      heldSockets.add(client);
      client.pause();
      waiting.push(() => {
        up.write(buf);
        client.resume();
      });
    });
    client.on('end', () => up.end());
    up.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    url: `http://127.0.0.1:${port}`,
    hold() {
      held = true;
    },
    release() {
      held = false;
      heldSockets.clear();
      for (const go of waiting.splice(0)) go();
    },
    get heldConnections() {
      return heldSockets.size;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
