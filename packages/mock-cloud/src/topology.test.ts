import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GUIDE_TOPOLOGY_PATH, loadTopology, parseTopology, TopologyError, type Topology } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'kumo-topology-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function issues(value: unknown): readonly string[] {
  try {
    parseTopology(value, 'test.json');
  } catch (error) {
    if (error instanceof TopologyError) return error.issues;
    throw error;
  }
  return [];
}

const minimal: Topology = {
  region: 'eu-west-1',
  availabilityZones: [{ name: 'eu-west-1a', zoneId: 'euw1-az1' }],
  vpcs: [{ id: 'vpc-1', cidr: '10.0.0.0/16' }],
  subnets: [{ id: 'subnet-1', vpc: 'vpc-1', cidr: '10.0.1.0/24', az: 'eu-west-1a' }],
};

describe('topology validation', () => {
  it('accepts the guide topology', () => {
    const guide = loadTopology(GUIDE_TOPOLOGY_PATH);
    expect(guide.region).toBe('ap-northeast-1');
    expect(guide.routeTables?.map((t) => t.name)).toEqual(['Public-AB', 'Private-A', 'Private-B']);
    expect(guide.instances?.every((i) => i.networkInterfaces[0]?.sourceDestCheck === false)).toBe(true);
  });

  it('accepts a minimal topology and ignores $comment keys', () => {
    expect(issues({ ...minimal, $comment: 'notes' })).toEqual([]);
  });

  it('reports shape problems with their paths, all at once', () => {
    expect(
      issues({
        region: 'Tokyo',
        availabilityZones: [{ name: 'eu-west-1a', zoneId: 'z', state: 'broken' }],
        vpcs: [{ id: 'vpc-1', cidr: '10.0.0.1/16', colour: 'blue' }],
        subnets: 'none',
      }),
    ).toEqual([
      '(root).region: "Tokyo" is not a region name like ap-northeast-1',
      '(root).availabilityZones[0].state: "broken" is not one of available, information, impaired, unavailable',
      '(root).vpcs[0].colour: unknown field (expected one of: id, cidr, name, tags)',
      '(root).vpcs[0].cidr: "10.0.0.1/16" is not a CIDR block with zero host bits (e.g. 10.0.0.0/16)',
      '(root).subnets: must be a list, found "none"',
    ]);
  });

  it('checks references, address ranges and duplicates', () => {
    const found = issues({
      ...minimal,
      subnets: [
        { id: 'subnet-1', vpc: 'vpc-1', cidr: '10.1.1.0/24', az: 'eu-west-1b' },
        { id: 'subnet-2', vpc: 'vpc-9', cidr: '10.0.2.0/24', az: 'eu-west-1a' },
      ],
      routeTables: [{ id: 'rtb-1', vpc: 'vpc-1', subnets: ['subnet-1'], routes: [{ destination: '10.1.0.20/32', target: 'eni-9' }] }],
      instances: [
        {
          id: 'i-1',
          networkInterfaces: [{ id: 'eni-1', subnet: 'subnet-1', privateIp: '10.0.9.9', mac: '0a:00:00:00:00:01' }],
        },
      ],
      elasticIps: [{ allocationId: 'eipalloc-1', publicIp: '203.0.113.1', networkInterface: 'eni-2' }],
      hostedZones: [{ id: 'Z1', name: 'example.test', private: true, records: [{ name: 'www.other.test', type: 'A', ttl: 60, values: ['1.2.3'] }] }],
    });
    expect(found).toEqual([
      'subnets[0].az: no availability zone eu-west-1b is declared',
      'subnets[0].cidr: 10.1.1.0/24 is not inside vpc-1 10.0.0.0/16',
      'subnets[1].vpc: no VPC vpc-9 is declared in vpcs',
      'instances[0].networkInterfaces[0]: private IP 10.0.9.9 is not inside subnet-1 10.1.1.0/24',
      'routeTables[0].routes[0].target: no network interface eni-9 is declared',
      'elasticIps[0].networkInterface: no network interface eni-2 is declared in instances',
      'hostedZones[0].vpcs: a private zone needs at least one VPC',
      'hostedZones[0].records[0].name: www.other.test. is not inside the zone example.test.',
      'hostedZones[0].records[0].values: "1.2.3" is not an IPv4 address',
    ]);
  });

  it('names the file in errors when loading', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ "region": ');
    expect(() => loadTopology(path)).toThrow(new RegExp(`^${path}: invalid topology:\\n  - not valid JSON`));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...minimal, vpcs: [] }));
    expect(() => loadTopology(bad)).toThrow(`${bad}: invalid topology:\n  - subnets[0].vpc: no VPC vpc-1 is declared in vpcs`);
    expect(() => loadTopology(join(dir, 'missing.json'))).toThrow(/missing\.json: invalid topology:\n {2}- cannot read the file/);
  });
});
