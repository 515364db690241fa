/**
 * An in-test TCP proxy placed between the two MDC endpoints, to cut and heal the mirror link:
 * - reset: destroys every connection (the peers see a reset) and refuses new ones until healed;
 * - drop: keeps connections open but silently discards traffic (only timeouts can notice), and refuses
 *   new connections by accepting and never forwarding;
 * - pause: stops forwarding without discarding; heal() delivers what was held.
 */
import net from 'node:net';

export type CutMode = 'reset' | 'drop' | 'pause';

interface Pair {
  a: net.Socket;
  b: net.Socket;
}

export class TcpProxy {
  private readonly server: net.Server;
  private readonly target: { host: string; port: number };
  private readonly pairs = new Set<Pair>();
  private mode: CutMode | null = null;
  connections = 0;

  private constructor(server: net.Server, target: { host: string; port: number }) {
    this.server = server;
    this.target = target;
  }

  static async start(listen: { host: string; port: number }, target: { host: string; port: number }): Promise<TcpProxy> {
    const server = net.createServer();
    const proxy = new TcpProxy(server, target);
    server.on('connection', (s) => {
      proxy.onConnection(s);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => {
        resolve();
      });
    });
    return proxy;
  }

  cut(mode: CutMode): void {
    this.mode = mode;
    for (const p of this.pairs) {
      if (mode === 'reset') {
        p.a.resetAndDestroy();
        p.b.resetAndDestroy();
      } else if (mode === 'pause') {
        p.a.pause();
        p.b.pause();
      }
    }
    if (mode === 'reset') this.pairs.clear();
  }

  heal(): void {
    const was = this.mode;
    this.mode = null;
    if (was === 'pause') {
      for (const p of this.pairs) {
        p.a.resume();
        p.b.resume();
      }
    }
  }

  async close(): Promise<void> {
    for (const p of this.pairs) {
      p.a.destroy();
      p.b.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(a: net.Socket): void {
    a.on('error', () => undefined);
    if (this.mode === 'reset') {
      a.resetAndDestroy();
      return;
    }
    this.connections += 1;
    const b = net.connect(this.target.port, this.target.host);
    b.on('error', () => undefined);
    const pair: Pair = { a, b };
    this.pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket): void => {
      from.on('data', (chunk: Buffer) => {
        if (this.mode === 'drop') return;
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => {
            if (this.mode !== 'pause') from.resume();
          });
        }
      });
    };
    forward(a, b);
    forward(b, a);
    if (this.mode === 'pause') {
      a.pause();
      b.pause();
    }
    const end = (): void => {
      this.pairs.delete(pair);
      a.destroy();
      b.destroy();
    };
    a.on('close', end);
    b.on('close', end);
  }
}
