/**
 * Test support: cuts a real link between two loopback addresses with nftables — a table of our own, removed on
 * close, matching only the given addresses and ports, so nothing else on the machine is touched. Loopback
 * packets pass the output hook once, which is where the drop happens. Needs root and `nft` (CI installs
 * nftables).
 */
import { execFile as execFileCb } from 'node:child_process';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);

export class Firewall {
  private readonly table = `kumo_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  private created = false;
  private readonly handles = new Map<string, string[]>();

  private async nft(...args: string[]): Promise<string> {
    const { stdout } = await execFile('nft', args);
    return stdout;
  }

  private async ensure(): Promise<void> {
    if (this.created) return;
    await this.nft('add', 'table', 'inet', this.table);
    await this.nft('add', 'chain', 'inet', this.table, 'out', '{ type filter hook output priority 0; policy accept; }');
    this.created = true;
  }

  /**
   * Drops packets between two addresses, both ways: UDP heartbeats only, TCP only (the agents' link and the mirror
   * connection, while heartbeats pass), or every protocol.
   */
  async cut(a: string, b: string, what: 'heartbeats' | 'tcp' | 'all' = 'heartbeats', port = 29002): Promise<void> {
    await this.ensure();
    const key = [a, b].sort().join('|');
    const ids: string[] = [];
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const match = what === 'heartbeats' ? ['udp', 'dport', String(port)] : what === 'tcp' ? ['meta', 'l4proto', 'tcp'] : [];
      const out = await this.nft('--echo', '--handle', 'add', 'rule', 'inet', this.table, 'out', 'ip', 'saddr', from, 'ip', 'daddr', to, ...match, 'drop');
      const handle = /# handle (\d+)/.exec(out)?.[1];
      if (handle) ids.push(handle);
    }
    this.handles.set(key, [...(this.handles.get(key) ?? []), ...ids]);
  }

  async heal(a: string, b: string): Promise<void> {
    const key = [a, b].sort().join('|');
    for (const h of this.handles.get(key) ?? []) await this.nft('delete', 'rule', 'inet', this.table, 'out', 'handle', h);
    this.handles.delete(key);
  }

  async close(): Promise<void> {
    if (!this.created) return;
    await this.nft('delete', 'table', 'inet', this.table).catch(() => undefined);
    this.created = false;
  }
}
