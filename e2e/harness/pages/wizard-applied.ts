/**
 * What the wizard specs check after "Apply the configuration": the configuration every agent now runs
 * (`config.get` on each), compared field by field with the guide's example values — the chapter fixtures in
 * packages/shared/fixtures, where the guide's values and the loopback cluster's coincide.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from '@playwright/test';
import type { ConfigDoc } from '@kumo/shared';
import { REPO, waitFor } from '../cluster.js';
import type { GuideChapter, KumoCluster } from '../cluster.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- configs read back as JSON and compared field by field */
export type Json = Record<string, any>;

/** The guide chapter's example values as the shared fixture holds them (server addresses are the guide's 10.0.x). */
export function guideFixture(chapter: GuideChapter): Json {
  return JSON.parse(readFileSync(path.join(REPO, 'packages', 'shared', 'fixtures', `guide-${chapter}.json`), 'utf8')) as Json;
}

/** The cluster's servers as the wizard lists them: server1 (the master, whose WebUI is open), then the others. */
export function serversOf(cluster: { names: string[]; addresses: string[] }): { name: string; address: string }[] {
  return cluster.names.map((name, i) => ({ name, address: cluster.addresses[i] ?? '' }));
}

/** `config.get` on every server of the cluster, each through its own agent. */
export async function configOfEveryAgent(cluster: KumoCluster): Promise<{ server: string; doc: ConfigDoc }[]> {
  return Promise.all(
    cluster.names.map(async (server) => {
      const c = await cluster.client(server);
      return { server, doc: await c.call('config.get', {}) };
    }),
  );
}

/** No server runs a configuration: `config.get` on each answers with none. */
export async function expectNothingApplied(cluster: KumoCluster): Promise<void> {
  for (const { server, doc } of await configOfEveryAgent(cluster)) {
    expect({ server, config: doc.config, version: doc.version, hash: doc.hash }).toEqual({ server, config: null, version: null, hash: null });
  }
}

const byName = (list: Json[], name: string): Json | undefined => list.find((x) => x['name'] === name);

/**
 * The applied configuration against the guide: cluster name and language, the two servers (on their loopback
 * addresses, server1 as master), one kernel interconnect with MDC mdc1, the guide's HTTP NP target, failover1 with
 * its resources, and each of the fixture's monitors — every param and per-server value the fixture has.
 */
export function expectGuideConfig(config: Json, fixture: Json, cluster: { names: string[]; addresses: string[] }): void {
  const fx = fixture;
  expect(config['cluster']).toMatchObject({ name: fx['cluster'].name, language: fx['cluster'].language, comment: fx['cluster'].comment });
  expect(config['servers'].map((s: Json) => [s['name'], s['address']])).toEqual(cluster.names.map((n, i) => [n, cluster.addresses[i]]));
  expect(config['interconnects']).toEqual([
    { priority: 1, kind: 'kernel', mdc: 'mdc1', addresses: Object.fromEntries(cluster.names.map((n, i) => [n, cluster.addresses[i]])) },
  ]);
  // The guide's NP target, as typed: HTTP, aws.amazon.com, 443, SSL, used by every server.
  expect(config['cluster'].np.targets[0]).toMatchObject({ ...fx['cluster'].np.targets[0], servers: [] });

  expect(config['groups'].map((g: Json) => g['name'])).toEqual(fx['groups'].map((g: Json) => g['name']));
  const group = config['groups'][0] as Json;
  const fxGroup = fx['groups'][0] as Json;
  expect(group['startupServers']).toEqual([]);
  expect(group['resources'].map((r: Json) => r['name'])).toEqual(fxGroup['resources'].map((r: Json) => r['name']));
  for (const want of fxGroup['resources'] as Json[]) {
    const got = byName(group['resources'], want['name']);
    expect(got, `resource ${want['name']}`).toBeDefined();
    expect({ name: got?.['name'], type: got?.['type'], dependency: got?.['dependency'] }).toEqual({ name: want['name'], type: want['type'], dependency: { mode: 'default' } });
    expect(got?.['params'], `params of ${want['name']}`).toMatchObject(want['params']);
    expect(got?.['perServer'] ?? {}, `per-server values of ${want['name']}`).toEqual(want['perServer'] ?? {});
  }

  expect([...config['monitors'].map((m: Json) => m['name'])].sort()).toEqual([...fx['monitors'].map((m: Json) => m['name'])].sort());
  for (const want of fx['monitors'] as Json[]) {
    const got = byName(config['monitors'], want['name']);
    expect(got, `monitor ${want['name']}`).toBeDefined();
    expect(got?.['type']).toBe(want['type']);
    if (want['params']) expect(got?.['params'], `params of ${want['name']}`).toMatchObject(want['params']);
    expect(got?.['perServer'] ?? {}, `per-server values of ${want['name']}`).toEqual(want['perServer'] ?? {});
    if (want['common']) expect(got?.['common'], `common settings of ${want['name']}`).toMatchObject(want['common']);
    expect(got?.['recovery'], `recovery of ${want['name']}`).toMatchObject(want['recovery']);
  }
}

/**
 * Every agent runs the same version of the configuration, and it is the guide's; with `witness`, the NP targets
 * are the guide's HTTP target and then that witness (what the specs add for the closed network).
 */
export async function expectEveryAgentRunsTheGuide(
  cluster: KumoCluster,
  chapter: GuideChapter,
  opts: { witness?: { host: string; port: number } | undefined; more?: (config: Json) => void } = {},
): Promise<ConfigDoc[]> {
  const docs = await configOfEveryAgent(cluster);
  const fixture = guideFixture(chapter);
  for (const { server, doc } of docs) {
    expect(doc.config, `config.get on ${server}`).not.toBeNull();
    expect(doc.version, `version on ${server}`).toBe(1);
    const config = doc.config as Json;
    expectGuideConfig(config, fixture, cluster);
    if (opts.witness) {
      expect(config['cluster'].np.targets).toHaveLength(2);
      expect(config['cluster'].np.targets[1]).toMatchObject({ kind: 'witness', host: opts.witness.host, port: opts.witness.port, servers: [] });
    }
    opts.more?.(config);
  }
  expect(new Set(docs.map((d) => d.doc.hash)).size, 'one configuration hash on every server').toBe(1);
  return docs.map((d) => d.doc);
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * The agent's start-up race seen after a first apply (reported with issue 9): server1 activates the fresh mirror
 * disk before the mirror connection to server2 is up, `md` refuses ("has never been mirrored and server2 is not
 * connected"), the group moves to server2, whose copy is still the initial construction's target, and stops there
 * (final action "No operation"). Whether it happens depends on which agent is quicker by a few hundred ms.
 */
export const MD_STARTUP_RACE = /has never been mirrored and \S+ is not connected/;

/**
 * Waits until failover1 is online on server1 as server1 reports it (`race: null`) — or until the mirror disk
 * start-up race shows in the alert log (`race`: its message).
 */
export async function waitGroupOnMasterOrMdRace(cluster: KumoCluster, group = 'failover1', timeoutMs = 90_000): Promise<{ race: string | null }> {
  return waitFor(
    `${group} online on server1 (or the mirror disk start-up race)`,
    async () => {
      const s = await cluster.status('server1');
      const g = s.groups.find((x) => x.name === group);
      if (g?.state === 'online' && g.current === 'server1') return { race: null };
      const { entries } = await (await cluster.client('server1')).call('alerts.query', { limit: 200, level: 'error' });
      const race = entries.find((a) => a.key === 'resourceActivationFailed' && MD_STARTUP_RACE.test(a.message));
      return race ? { race: race.message } : undefined;
    },
    timeoutMs,
    500,
  );
}

/**
 * failover1 running on server1, as the administrator gets it: when the mirror disk start-up race stopped it, the
 * operation mode's remedy — wait for the initial mirror construction, stop the group, start it on server1. The
 * race is recorded as a "known-issue" annotation of the test (it stays visible in the report).
 */
export async function groupRunningOnMaster(cluster: KumoCluster, annotate: (description: string) => void, group = 'failover1'): Promise<void> {
  const { race } = await waitGroupOnMasterOrMdRace(cluster, group);
  if (race === null) return;
  const note = `the agent's mirror disk start-up race after the first apply (reported with issue 9): ${race}`;
  annotate(note);
  console.warn(`known issue: ${note}; recovering as an administrator would (group stop, start on server1)`);
  await cluster.waitMirrorsInSync();
  const c = await cluster.client('server1');
  await c.call('group.stop', { group });
  await waitFor(`${group} stopped`, async () => (await cluster.status('server1')).groups.find((g) => g.name === group)?.state === 'offline', 60_000, 300);
  await c.call('group.start', { group, server: 'server1' });
  await cluster.waitOnline(group, 'server1', 'server1', 60_000);
}
