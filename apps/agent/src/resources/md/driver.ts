/**
 * The `md` resource: activate = promote this server's mirror disk and export it over NBD; on a Linux host
 * that can attach NBD devices, also attach it, make the file system when the partition has none (and initial
 * mkfs is on) and mount it on the mount point. Deactivate = unmount, detach, demote. A stale copy refuses to
 * promote (the operator forces it with `kumo md force`).
 */
import type { z } from 'zod';
import type { mdType } from '@kumo/shared';
import { MirrorError } from '../../mirror/index.js';
import type { MirrorDisk } from '../../mirror/index.js';
import type { ResourceContext, ResourceDriver } from '../driver.js';
import { fail, ok } from '../driver.js';

type Params = z.output<typeof mdType.params>;

/** NBD devices this agent attached, by server/resource. */
const attached = new Map<string, string>();
const key = (ctx: ResourceContext<Params>) => `${ctx.server}/${ctx.resource}`;

function why(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Promotes the disk. A disk that has never been mirrored refuses while its peer is not connected (which of the
 * two holds the data is not known yet); right after the first apply the mirror disk connect may still be coming
 * up, so wait for it, up to the resource's connect timeout, and try again once it is connected.
 */
async function promoteWhenPeerConnects(disk: MirrorDisk, ctx: ResourceContext<Params>): Promise<void> {
  const deadline = Date.now() + ctx.params.connectTimeoutS * 1000;
  for (;;) {
    try {
      await disk.promote();
      return;
    } catch (e) {
      const waiting = e instanceof MirrorError && e.code === 'NOT_CONSTRUCTED' && disk.status().connection !== 'connected';
      if (!waiting || Date.now() >= deadline || ctx.signal.aborted) throw e;
    }
    while (disk.status().connection !== 'connected' && Date.now() < deadline && !ctx.signal.aborted) {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export const mdDriver: ResourceDriver<Params> = {
  type: 'md',
  async activate(ctx) {
    if (!ctx.mirrors) return fail(99, 'Internal error. (no mirror disk service)', 'config');
    const disk = await ctx.mirrors.get(ctx.resource);
    if (!disk) return fail(1, `Failed to activate mirror disk. the mirror disk is not open on ${ctx.server}(Device:${ctx.resource})`, 'node');
    try {
      await promoteWhenPeerConnects(disk, ctx);
    } catch (e) {
      const stale = e instanceof MirrorError;
      return fail(1, `Failed to activate mirror disk. ${why(e)}(Device:${ctx.resource})`, stale ? 'config' : 'node');
    }
    if (ctx.params.fileSystem === 'none' || !(await ctx.host.canAttachBlockDevices())) return ok('exported over NBD');
    try {
      const socket = disk.status().nbdSocketPath;
      const device = attached.get(key(ctx)) ?? (await ctx.host.attachNbd(socket, ctx.resource, ctx.signal));
      attached.set(key(ctx), device);
      if (ctx.params.initialMkfs) await ctx.host.ensureFileSystem(device, ctx.params.fileSystem, ctx.signal);
      await ctx.host.mount(device, ctx.params.mountPoint, ctx.params.fileSystem, ctx.params.mountOptions, ctx.signal);
      return ok(`mounted on ${ctx.params.mountPoint}`);
    } catch (e) {
      return fail(1, `Failed to activate mirror disk. ${why(e)}(Device:${ctx.resource})`, 'node');
    }
  },
  async deactivate(ctx) {
    const errors: string[] = [];
    try {
      if (await ctx.host.isMounted(ctx.params.mountPoint)) await ctx.host.unmount(ctx.params.mountPoint, ctx.signal);
    } catch (e) {
      errors.push(why(e));
    }
    const device = attached.get(key(ctx));
    if (device) {
      try {
        await ctx.host.detachNbd(device, ctx.signal);
        attached.delete(key(ctx));
      } catch (e) {
        errors.push(why(e));
      }
    }
    try {
      await (await ctx.mirrors?.get(ctx.resource))?.demote();
    } catch (e) {
      errors.push(why(e));
    }
    return errors.length === 0 ? ok() : fail(4, `Failed to deactivate mirror disk. ${errors.join('; ')}(Device:${ctx.resource})`, 'node');
  },
  async probe(ctx) {
    const st = (await ctx.mirrors?.get(ctx.resource))?.status();
    if (!st) return 'unknown';
    return st.local.role === 'primary' ? 'active' : 'inactive';
  },
};
