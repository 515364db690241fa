import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MONITOR_TYPES, RESOURCE_TYPES } from '../types/index.js';
import { formatConfigError, validateClusterConfig } from './validate.js';
import type { ConfigError } from './validate.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixture surgery

function fixture(name: 'vip' | 'eip' | 'dns'): Json {
  return JSON.parse(readFileSync(new URL(`../../fixtures/guide-${name}.json`, import.meta.url), 'utf8')) as Json;
}

function errorsOf(input: unknown): ConfigError[] {
  const r = validateClusterConfig(input);
  if (r.ok) throw new Error('expected the config to be refused');
  return r.errors;
}

describe('the guide fixtures', () => {
  it.each(['vip', 'eip', 'dns'] as const)('chapter config %s validates and gets its defaults filled', (name) => {
    const r = validateClusterConfig(fixture(name));
    if (!r.ok) throw new Error(r.errors.map((e) => formatConfigError(e)).join('\n'));
    const c = r.config;
    expect(c.cluster.heartbeat).toEqual({ intervalS: 3, timeoutS: 90 });
    expect(c.cluster.np.targets[0]).toMatchObject({ kind: 'http', host: 'aws.amazon.com', port: 443, ssl: true, path: '/' });
    expect(c.cluster.np.isolationAction).toBe('shutdown');
    expect(c.groups[0]!.name).toBe('failover1');
    expect(c.groups[0]!.attributes).toEqual({ startup: 'auto', failover: 'auto', failback: 'manual' });
    const md = c.groups[0]!.resources[0]!;
    expect(md.params).toMatchObject({ fileSystem: 'ext4', mdc: 'mdc1', mirrorPort: 29051, initialCopy: true });
    expect(md.recovery.deactivation.finalAction).toBe('shutdown');
    const aws = c.groups[0]!.resources[1]!;
    expect(aws.params['awsCliTimeoutS']).toBe(100);
    expect(aws.timeouts.activateS).toBe(480);
    const awsMonitor = c.monitors[1]!;
    expect(awsMonitor.params['mode']).toBe('warn');
    expect(awsMonitor.common.timing).toBe('active');
    expect(awsMonitor.recovery).toMatchObject({ maxRestarts: 3, maxFailovers: 1, finalAction: 'none' });
  });

  it('validating a validated config changes nothing (defaults are stable)', () => {
    const once = validateClusterConfig(fixture('dns'));
    if (!once.ok) throw new Error('fixture invalid');
    const twice = validateClusterConfig(JSON.parse(JSON.stringify(once.config)));
    expect(twice.ok && twice.config).toEqual(once.config);
  });
});

/** Each case breaks one thing and names the path and the words the error must contain. */
const INVALID: [string, 'vip' | 'eip' | 'dns', (c: Json) => void, string, RegExp][] = [
  ['VIP not an address', 'vip', (c) => (c.groups[0].resources[1].params.ip = '10.1.0.300'), 'groups[0].resources[1].params.ip', /"10\.1\.0\.300" is not an IPv4 address; enter four numbers/],
  ['VPC ID syntax', 'vip', (c) => (c.groups[0].resources[1].params.vpcId = 'vpc-12345'), 'groups[0].resources[1].params.vpcId', /is not a VPC ID; it looks like vpc-/],
  ['ENI ID syntax per server', 'vip', (c) => (c.groups[0].resources[1].perServer.server2.eniId = 'eni-XYZ'), 'groups[0].resources[1].perServer.server2.eniId', /"eni-XYZ" is not an ENI ID/],
  ['ENI missing on a server tab', 'vip', (c) => delete c.groups[0].resources[1].perServer.server2, 'groups[0].resources[1].perServer.server2.eniId', /"ENI ID" must be set individually for server2: on the server2 tab tick "Set up individually"/],
  ['EIP allocation syntax', 'eip', (c) => (c.groups[0].resources[1].params.allocationId = 'eip-1'), 'groups[0].resources[1].params.allocationId', /is not an EIP allocation ID/],
  ['EIP ENI missing on a server', 'eip', (c) => delete c.groups[0].resources[1].perServer.server1, 'groups[0].resources[1].perServer.server1.eniId', /must be set individually for server1/],
  ['record name without trailing dot', 'dns', (c) => (c.groups[0].resources[1].params.recordName = 'srv.hz1.local'), 'groups[0].resources[1].params.recordName', /must end with a dot/],
  ['record name in upper case', 'dns', (c) => (c.groups[0].resources[1].params.recordName = 'SRV.hz1.local.'), 'groups[0].resources[1].params.recordName', /contains upper-case letters; Route 53 record names must be written in lower case/],
  ['hosted zone ID syntax', 'dns', (c) => (c.groups[0].resources[1].params.hostedZoneId = 'hz1'), 'groups[0].resources[1].params.hostedZoneId', /is not a hosted zone ID/],
  ['DNS IP missing for a server', 'dns', (c) => { delete c.groups[0].resources[1].params.ip; delete c.groups[0].resources[1].perServer.server2; }, 'groups[0].resources[1].perServer.server2.ip', /"IP Address" has no value for server2; enter it on the Common tab/],
  ['duplicate server names', 'vip', (c) => (c.servers[1].name = 'server1'), 'servers[1].name', /server name "server1" is used more than once/],
  ['server name in upper case', 'vip', (c) => (c.servers[0].name = 'Server1'), 'servers[0].name', /is not a valid server name; use the host name in lower case/],
  ['duplicate group names', 'vip', (c) => c.groups.push({ name: 'failover1' }), 'groups[1].name', /group name "failover1" is used more than once/],
  ['duplicate resource names', 'vip', (c) => (c.groups[0].resources[1].name = 'md'), 'groups[0].resources[1].name', /resource name "md" is used more than once/],
  ['duplicate monitor names', 'vip', (c) => (c.monitors[1].name = 'awsazw1'), 'monitors[1].name', /monitor name "awsazw1" is used more than once/],
  ['dependency on a resource of no group', 'vip', (c) => (c.groups[0].resources[0].dependency = { mode: 'explicit', dependsOn: ['awsvip9'] }), 'groups[0].resources[0].dependency.dependsOn[0]', /there is no resource "awsvip9" in group "failover1"/],
  ['dependency cycle', 'vip', (c) => { c.groups[0].resources[0].dependency = { mode: 'explicit', dependsOn: ['awsvip1'] }; c.groups[0].resources[1].dependency = { mode: 'explicit', dependsOn: ['md'] }; }, 'groups[0].resources[0].dependency', /the dependencies form a cycle \(md → awsvip1 → md\)/],
  ['depends on itself', 'vip', (c) => (c.groups[0].resources[0].dependency = { mode: 'explicit', dependsOn: ['md'] }), 'groups[0].resources[0].dependency.dependsOn[0]', /cannot depend on itself/],
  ['interconnect address missing for a server', 'vip', (c) => delete c.interconnects[0].addresses.server2, 'servers[1]', /server "server2" has no interconnect address/],
  ['interconnect address used twice', 'vip', (c) => (c.interconnects[0].addresses.server2 = '10.0.110.10'), 'interconnects[0].addresses.server2', /the address 10\.0\.110\.10 is already used by server1/],
  ['mirror disk names an MDC that does not exist', 'vip', (c) => (c.groups[0].resources[0].params.mdc = 'mdc2'), 'groups[0].resources[0].params.mdc', /there is no mirror disk connect "mdc2"; choose one of "mdc1"/],
  ['mirror disk with three servers', 'vip', (c) => { c.servers.push({ name: 'server3', address: '10.0.110.11' }); c.interconnects[0].addresses.server3 = '10.0.110.11'; }, 'groups[0].startupServers', /replicates between exactly two servers, but its group may run on 3/],
  ['monitor target does not exist', 'vip', (c) => (c.monitors[1].common.target = 'awsvip9'), 'monitors[1].common.target', /there is no resource "awsvip9" to monitor/],
  ['monitor target of the wrong type', 'vip', (c) => (c.monitors[1].common.target = 'md'), 'monitors[1].common.target', /can only watch "awsvip" resources/],
  ['mdw names no mirror disk', 'vip', (c) => (c.monitors[2].params.mirrorDisk = 'md9'), 'monitors[2].params.mirrorDisk', /there is no resource "md9" to monitor/],
  ['recovery target group does not exist', 'vip', (c) => (c.monitors[0].recovery.target = { kind: 'group', name: 'failover9' }), 'monitors[0].recovery.target.name', /the recovery target group "failover9" does not exist/],
  ['startup server unknown', 'vip', (c) => (c.groups[0].startupServers = ['server1', 'server9']), 'groups[0].startupServers[1]', /there is no server named "server9"/],
  ['heartbeat timeout shorter than interval', 'vip', (c) => (c.cluster.heartbeat = { intervalS: 3, timeoutS: 2 }), 'cluster.heartbeat.timeoutS', /must be longer than the heartbeat interval/],
  ['NP port out of range', 'vip', (c) => (c.cluster.np.targets[0].port = 70000), 'cluster.np.targets[0].port', /70000 is not a port number/],
  ['NP target of an unknown kind', 'vip', (c) => (c.cluster.np.targets[0].kind = 'disk'), 'cluster.np.targets[0].kind', /"disk" is not allowed; choose one of "http", "ping", "witness"/],
  ['forced stop without instance IDs', 'vip', (c) => (c.cluster.forcedStop = { enabled: true }), 'servers[0].instanceId', /forced stop is on, so server "server1" needs its EC2 instance ID/],
  ['unknown param', 'vip', (c) => (c.groups[0].resources[1].params.vip = '10.1.0.20'), 'groups[0].resources[1].params.vip', /unknown setting "vip"; remove it or check the spelling/],
  ['per-server value of a common-only field', 'vip', (c) => (c.groups[0].resources[1].perServer.server1.ip = '10.1.0.21'), 'groups[0].resources[1].perServer.server1.ip', /"IP Address" cannot be set per server/],
  ['unknown resource type', 'vip', (c) => (c.groups[0].resources[1].type = 'fip'), 'groups[0].resources[1].type', /"fip" is not allowed; choose one of "awsvip"/],
  ['missing cluster name', 'vip', (c) => delete c.cluster.name, 'cluster.name', /this field is required/],
  ['AWS CLI timeout out of range', 'vip', (c) => (c.groups[0].resources[1].params.awsCliTimeoutS = 0), 'groups[0].resources[1].params.awsCliTimeoutS', /0 is out of range; enter a value from 1 to 999/],
  ['AZ name syntax per server', 'vip', (c) => (c.monitors[0].perServer.server2.availabilityZone = 'tokyo-1'), 'monitors[0].perServer.server2.availabilityZone', /is not an availability zone name/],
  ['individual settings for a server that cannot run the group', 'vip', (c) => { c.groups[0].startupServers = ['server1', 'server2']; c.groups[0].resources[1].perServer.server3 = { eniId: 'eni-0a1b2c3d4e5f60003' }; }, 'groups[0].resources[1].perServer.server3', /server3 has individual settings but cannot run this/],
];

describe('invalid variants', () => {
  it('has at least 25 of them', () => expect(INVALID.length).toBeGreaterThanOrEqual(25));

  it.each(INVALID)('%s', (_title, name, mutate, where, message) => {
    const config = fixture(name);
    mutate(config);
    const errors = errorsOf(config);
    const match = errors.find((e) => e.where === where);
    expect(match, `no error at ${where}; got:\n${errors.map((e) => formatConfigError(e)).join('\n')}`).toBeDefined();
    expect(match!.message.en).toMatch(message);
    expect(match!.message.ja.length).toBeGreaterThan(0);
    expect(match!.message.ja).not.toBe(match!.message.en);
  });

  it('reports every error at once, not just the first', () => {
    const config = fixture('vip');
    config.groups[0].resources[1].params.ip = 'x';
    config.groups[0].resources[1].params.vpcId = 'y';
    config.cluster.np.targets[0].port = 0;
    const where = errorsOf(config).map((e) => e.where);
    expect(where).toEqual(expect.arrayContaining(['cluster.np.targets[0].port']));
  });

  it('reports the cross-field errors of all resources together', () => {
    const config = fixture('vip');
    config.groups[0].resources[1].params.ip = 'x';
    config.groups[0].resources[1].params.vpcId = 'y';
    delete config.groups[0].resources[1].perServer.server2;
    const where = errorsOf(config).map((e) => e.where);
    expect(where).toEqual(
      expect.arrayContaining([
        'groups[0].resources[1].params.ip',
        'groups[0].resources[1].params.vpcId',
        'groups[0].resources[1].perServer.server2.eniId',
      ]),
    );
  });

  it('refuses what is not a config at all with a clear sentence', () => {
    expect(errorsOf(null)[0]!.message.en).toMatch(/expected a group of settings but got null/);
    expect(errorsOf('hello')[0]!.message.en).toMatch(/expected a group of settings/);
  });
});

describe('every per-server-required field is enforced', () => {
  const cases: [string, string, string][] = [];
  for (const def of Object.values(RESOURCE_TYPES)) for (const f of def.perServer.required) cases.push(['resource', def.id, f]);
  for (const def of Object.values(MONITOR_TYPES)) for (const f of def.perServer.required) cases.push(['monitor', def.id, f]);

  it('there are such fields (awsvip and awseip ENI IDs at least)', () => {
    expect(cases).toEqual(expect.arrayContaining([['resource', 'awsvip', 'eniId'], ['resource', 'awseip', 'eniId']]));
  });

  it.each(cases)('%s type %s: %s is required on every server that may run it', (_kind, type, field) => {
    const config = fixture(type === 'awseip' ? 'eip' : 'vip');
    const resource = config.groups[0].resources.find((r: Json) => r.type === type);
    expect(resource, `fixture has no ${type}`).toBeDefined();
    for (const server of ['server1', 'server2']) {
      const broken = JSON.parse(JSON.stringify(config)) as Json;
      const r = broken.groups[0].resources.find((x: Json) => x.type === type);
      delete r.perServer[server][field];
      const at = broken.groups[0].resources.indexOf(r);
      expect(errorsOf(broken).map((e) => e.where)).toContain(`groups[0].resources[${at}].perServer.${server}.${field}`);
    }
  });
});
