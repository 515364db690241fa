/**
 * Heartbeats (UDP) and the agents' own link (TCP, the WebUI port) travel separately, and a security group or
 * firewall can let one through and not the other. A server that is heard on the interconnect is alive, so the
 * cluster waits for what it says over the link (its report) before placing its groups — safely, but without this
 * watch nothing would tell the administrator why. It raises CLUSTERPRO's "Cannot communicate with server %1."
 * (nm 80) when a server has been heard for `graceMs()` without a link to it (and still heard at the end of that),
 * and "Recovered from the communication failure with server %1." (nm 81) when the link comes back.
 */
export interface LinkWatchOptions {
  /** How long a server may be heard without a link (read when that starts). */
  graceMs: () => number;
  /**
   * When a heartbeat from `server` last arrived (null: never). A server whose link closed as it died is heard no
   * more, and is not reported: its heartbeat timeout says it is down, a little after the link closed.
   */
  lastHeard: (server: string) => number | null;
  lost: (server: string) => void;
  recovered: (server: string) => void;
}

interface Watched {
  heard: boolean;
  linked: boolean;
  timer: NodeJS.Timeout | null;
  alerted: boolean;
}

export class LinkWatch {
  private readonly servers = new Map<string, Watched>();
  private stopped = false;

  constructor(private readonly opts: LinkWatchOptions) {}

  /** Heartbeats from `server` arrive (true) or stopped (false). */
  heartbeat(server: string, heard: boolean): void {
    this.of(server).heard = heard;
    this.update(server);
  }

  /** The link to `server` is up (true) or down (false). */
  link(server: string, linked: boolean): void {
    this.of(server).linked = linked;
    this.update(server);
  }

  /** Forgets the servers not in `names` (removed from the cluster: they are neither heard nor linked any more). */
  retain(names: readonly string[]): void {
    for (const [server, w] of this.servers) {
      if (names.includes(server)) continue;
      if (w.timer) clearTimeout(w.timer);
      this.servers.delete(server);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.servers.values()) if (w.timer) clearTimeout(w.timer);
    this.servers.clear();
  }

  private of(server: string): Watched {
    let w = this.servers.get(server);
    if (!w) {
      w = { heard: false, linked: false, timer: null, alerted: false };
      this.servers.set(server, w);
    }
    return w;
  }

  private update(server: string): void {
    if (this.stopped) return;
    const w = this.of(server);
    if (w.linked) {
      if (w.timer) clearTimeout(w.timer);
      w.timer = null;
      if (w.alerted) {
        w.alerted = false;
        this.opts.recovered(server);
      }
      return;
    }
    if (!w.heard) {
      // Not heard at all: the server is down, which its own alerts say; what was said about the link stands.
      if (w.timer) clearTimeout(w.timer);
      w.timer = null;
      return;
    }
    if (w.timer || w.alerted) return;
    const since = Date.now();
    w.timer = setTimeout(() => {
      w.timer = null;
      const heard = this.opts.lastHeard(server);
      if (heard === null || heard < since) return; // going down, not unreachable
      w.alerted = true;
      this.opts.lost(server);
    }, this.opts.graceMs());
    w.timer.unref();
  }
}
