/**
 * One logged-in WebSocket client per agent, kept for the whole benchmark. `KumoCluster.status()` opens a new
 * connection per call, and every open connection costs its agent a status push a second: polling through it
 * would load the agents being measured. A client is dropped when its agent is killed or restarted.
 */
import type { ClusterStatus } from '@kumo/shared';
import type { AgentClient } from '@kumo/agent/client';
import type { KumoCluster } from '../harness/cluster.js';

export class Clients {
  private readonly cache = new Map<string, Promise<AgentClient>>();

  constructor(private readonly cluster: Pick<KumoCluster, 'client'>) {}

  get(name: string): Promise<AgentClient> {
    let c = this.cache.get(name);
    if (!c) {
      c = this.cluster.client(name);
      // A failed connect must not stay cached.
      c.catch(() => this.cache.delete(name));
      this.cache.set(name, c);
    }
    return c;
  }

  /** Forgets (and closes) the client of an agent that was killed or restarted. */
  drop(name: string): void {
    const c = this.cache.get(name);
    this.cache.delete(name);
    void c?.then((x) => x.close(), () => undefined);
  }

  async status(name: string): Promise<ClusterStatus> {
    try {
      return await (await this.get(name)).call('status.get', {}, 10_000);
    } catch (e) {
      this.drop(name);
      throw e;
    }
  }
}
