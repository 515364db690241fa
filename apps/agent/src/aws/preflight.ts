/**
 * Preflight (`aws.preflight`): before Apply, check against AWS what the guide's chapters 4–8 ask the
 * administrator to set up by hand and chapter 9 lists as causes of failure (peers.md §5, row 9): credentials
 * and endpoints work, every ID in the config exists, the VIP lies outside the VPC CIDR, Source/Dest. Check is
 * off on every ENI of an awsvip, the /32 routes exist, a private hosted zone is associated with the VPC, the
 * EIP allocation and the AZs exist, and forced stop knows every instance. Every failed check says how to fix it.
 */
import { effectiveParams, groupServers, monitorServers } from '@kumo/shared';
import type { ClusterConfig } from '@kumo/shared';
import type { AwsApi, CallOptions } from './api.js';
import { fqdn } from './dns-name.js';
import { AwsCallError } from './errors.js';
import { cidrHolding } from './ip.js';

export interface PreflightCheck {
  /** What is checked: `AWS`, a resource (`awsvip1`), or a resource on one server (`awsvip1 @ server2`). */
  subject: string;
  /** A stable id of the check (`vip-outside-cidr`, `source-dest-check`, …). */
  check: string;
  ok: boolean;
  message: string;
  fix?: string;
}

export interface PreflightOptions {
  /** The server this preflight runs on (its instance is the one whose role and metadata are used). */
  server: string;
  signal?: AbortSignal | undefined;
  /** Deadline of each AWS call (default 10 s: a preflight should answer quickly). */
  callTimeoutMs?: number | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const AUTH_CODES = /^(AuthFailure|UnrecognizedClientException|InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|IncompleteSignature|MissingAuthenticationToken)/;

function failureText(e: unknown): string {
  return e instanceof AwsCallError ? `${e.code} : ${e.text}` : e instanceof Error ? e.message : String(e);
}

/** The fix for a failed call, by what went wrong. */
function fixFor(e: unknown, action: string): string {
  if (e instanceof AwsCallError) {
    if (e.awsCode === 'UnauthorizedOperation' || e.awsCode === 'AccessDenied') {
      return `Allow ${action} in the instance role's IAM policy (Kumo prints the least-privilege policy for this config).`;
    }
    if (e.origin === 'network') {
      return 'Give the instances a route to the regional AWS endpoints (NAT gateway, proxy, public IP or EIP, or a VPC endpoint for EC2; Route 53 has none), and check security groups and network ACLs.';
    }
    if (e.origin === 'local' || (e.awsCode !== undefined && AUTH_CODES.test(e.awsCode))) {
      return 'Attach an IAM role to the instances (http://169.254.169.254/latest/meta-data/iam/security-credentials/ must list it), or configure keys for root with `aws configure`; check the region.';
    }
  }
  return 'Check the ID in the config against the AWS console.';
}

class Checks {
  readonly list: PreflightCheck[] = [];

  pass(subject: string, check: string, message: string): void {
    this.list.push({ subject, check, ok: true, message });
  }

  fail(subject: string, check: string, message: string, fix: string): void {
    this.list.push({ subject, check, ok: false, message, fix });
  }

  /** Runs `read`; a failure becomes a failed check (and undefined) instead of an exception. */
  async read<T>(subject: string, check: string, action: string, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (e) {
      this.fail(subject, check, failureText(e), fixFor(e, action));
      return undefined;
    }
  }
}

export async function preflight(config: ClusterConfig, aws: AwsApi, opts: PreflightOptions): Promise<PreflightCheck[]> {
  const o: CallOptions = { signal: opts.signal, timeoutMs: opts.callTimeoutMs ?? 10_000 };
  const c = new Checks();
  const resources = config.groups.flatMap((g) => g.resources.map((r) => ({ group: g, resource: r, servers: groupServers(config, g) })));
  const usesRoute53 = resources.some((r) => r.resource.type === 'awsdns');
  const usesAws = usesRoute53 || config.cluster.forcedStop.enabled || resources.some((r) => r.resource.type.startsWith('aws')) || config.monitors.some((m) => m.type === 'awsazw');
  if (!usesAws) return c.list;

  // Credentials and endpoints: one cheap call per service tells both apart.
  const region = await aws.region(o).catch(() => undefined);
  try {
    await aws.describeAvailabilityZones({}, o);
    c.pass('AWS', 'ec2-endpoint', `The EC2 endpoint of ${region ?? 'the region'} answers.`);
    c.pass('AWS', 'credentials', 'The credentials are accepted.');
  } catch (e) {
    const origin = e instanceof AwsCallError ? e.origin : 'local';
    const denied = e instanceof AwsCallError && (e.awsCode === 'UnauthorizedOperation' || e.awsCode === 'AccessDenied');
    const fix = fixFor(e, 'ec2:DescribeAvailabilityZones');
    if (origin === 'network') c.fail('AWS', 'ec2-endpoint', `The EC2 endpoint of ${region ?? 'the region'} does not answer. (${failureText(e)})`, fix);
    else {
      if (origin === 'aws') c.pass('AWS', 'ec2-endpoint', `The EC2 endpoint of ${region ?? 'the region'} answers.`);
      if (denied) {
        c.pass('AWS', 'credentials', 'The credentials are accepted.');
        c.fail('AWS', 'permissions', `A read was refused. (${failureText(e)})`, fix);
      } else c.fail('AWS', 'credentials', `The credentials do not work. (${failureText(e)})`, fix);
    }
  }
  if (usesRoute53) {
    const zones = await c.read('AWS', 'route53-endpoint', 'route53:ListHostedZones', () => aws.listHostedZones(o));
    if (zones) c.pass('AWS', 'route53-endpoint', 'The Route 53 endpoint answers.');
  }
  const self = await aws.self(o).catch(() => undefined);
  const thisServer = config.servers.find((s) => s.name === opts.server);
  if (self && thisServer?.instanceId && thisServer.instanceId !== self.instanceId) {
    c.fail(opts.server, 'instance-id', `The config names ${thisServer.instanceId} for ${opts.server}, but this instance is ${self.instanceId}.`, `Set the instance ID of ${opts.server} to ${self.instanceId}.`);
  }

  for (const { resource, servers } of resources) {
    const name = resource.name;
    const each = servers.map((server) => ({ server, p: effectiveParams(resource, server) }));
    switch (resource.type) {
      case 'awsvip': {
        const ip = str(resource.params['ip']) ?? '';
        for (const vpcId of new Set(each.map((e) => str(e.p['vpcId'])).filter((v) => v !== undefined))) {
          const [vpc] = (await c.read(name, 'vpc', 'ec2:DescribeVpcs', () => aws.describeVpcs({ ids: [vpcId] }, o))) ?? [];
          if (!vpc) continue;
          c.pass(name, 'vpc', `VPC ${vpcId} exists (${vpc.cidrs.join(', ')}).`);
          const inside = cidrHolding(ip, vpc.cidrs);
          if (inside) {
            c.fail(name, 'vip-outside-cidr', `The VIP address ${ip} belongs to a VPC subnet.`, `Choose a VIP outside the VPC CIDR ${inside} (for example 10.1.0.20 for 10.0.0.0/16): the route tables carry it, not a subnet.`);
          } else c.pass(name, 'vip-outside-cidr', `The VIP address ${ip} lies outside ${vpc.cidrs.join(', ')}.`);
          const tables = await c.read(name, 'vip-route', 'ec2:DescribeRouteTables', () => aws.describeRouteTables({ vpcId }, o));
          if (!tables) continue;
          const holding = tables.filter((t) => t.routes.some((r) => r.destination === `${ip}/32`));
          if (holding.length === 0) {
            c.fail(name, 'vip-route', `No route table of ${vpcId} has a route for ${ip}/32.`, `Add the route ${ip}/32 → the active server's ENI to every route table whose subnets must reach the VIP (the prefix must be /32).`);
          } else c.pass(name, 'vip-route', `${holding.length} route table(s) hold ${ip}/32: ${holding.map((t) => t.id).join(', ')}.`);
        }
        for (const { server, p } of each) {
          const eniId = str(p['eniId']);
          const subject = `${name} @ ${server}`;
          if (!eniId) continue;
          const [eni] = (await c.read(subject, 'eni', 'ec2:DescribeNetworkInterfaces', () => aws.describeNetworkInterfaces({ ids: [eniId] }, o))) ?? [];
          if (!eni) continue;
          c.pass(subject, 'eni', `ENI ${eniId} exists (${eni.privateIp}${eni.instanceId ? ` on ${eni.instanceId}` : ''}).`);
          const vpcId = str(p['vpcId']);
          if (vpcId && eni.vpcId !== vpcId) c.fail(subject, 'eni-vpc', `ENI ${eniId} is in ${eni.vpcId}, not in ${vpcId}.`, `Set the ENI of ${server} to one of its interfaces in ${vpcId}.`);
          if (eni.sourceDestCheck) {
            c.fail(subject, 'source-dest-check', `Source/Dest. Check is enabled on ${eniId}: packets to the VIP are dropped.`, `Disable it: EC2 console → Network interfaces → ${eniId} → Actions → Change source/dest. check → Stop (or: aws ec2 modify-network-interface-attribute --network-interface-id ${eniId} --no-source-dest-check).`);
          } else c.pass(subject, 'source-dest-check', `Source/Dest. Check is disabled on ${eniId}.`);
        }
        break;
      }
      case 'awseip': {
        const allocationId = str(resource.params['allocationId']) ?? '';
        const [address] = (await c.read(name, 'eip-allocation', 'ec2:DescribeAddresses', () => aws.describeAddresses({ allocationIds: [allocationId] }, o))) ?? [];
        if (address) c.pass(name, 'eip-allocation', `EIP ${address.publicIp ?? '?'} (${allocationId}) exists.`);
        for (const { server, p } of each) {
          const eniId = str(p['eniId']);
          if (!eniId) continue;
          const [eni] = (await c.read(`${name} @ ${server}`, 'eni', 'ec2:DescribeNetworkInterfaces', () => aws.describeNetworkInterfaces({ ids: [eniId] }, o))) ?? [];
          if (eni) c.pass(`${name} @ ${server}`, 'eni', `ENI ${eniId} exists (${eni.privateIp}).`);
        }
        break;
      }
      case 'awsdns': {
        const zoneId = str(resource.params['hostedZoneId']) ?? '';
        const zone = await c.read(name, 'hosted-zone', 'route53:GetHostedZone', () => aws.getHostedZone(zoneId, o));
        if (!zone) break;
        c.pass(name, 'hosted-zone', `Hosted zone ${zone.name} (${zoneId}) exists.`);
        const recordName = fqdn(str(resource.params['recordName']) ?? '');
        if (recordName !== zone.name && !recordName.endsWith(`.${zone.name}`)) {
          c.fail(name, 'record-in-zone', `The record name ${recordName} is not inside the zone ${zone.name}.`, `Use a name ending in .${zone.name}`);
        }
        if (zone.private) {
          const vpcs = new Set(resources.flatMap((r) => (r.resource.type === 'awsvip' ? [str(r.resource.params['vpcId'])] : [])).filter((v) => v !== undefined));
          if (self?.vpcId) vpcs.add(self.vpcId);
          for (const vpcId of vpcs) {
            if (zone.vpcs.some((v) => v.id === vpcId)) c.pass(name, 'zone-vpc-association', `The private zone ${zone.name} is associated with ${vpcId}.`);
            else c.fail(name, 'zone-vpc-association', `The private zone ${zone.name} is not associated with ${vpcId}: the name will not resolve there.`, `Route 53 console → ${zone.name} → Edit → add ${vpcId} to the associated VPCs; and enable DNS resolution on the VPC.`);
          }
        }
        break;
      }
      case 'md':
      case 'exec':
        break;
      default: {
        const check: never = resource.type;
        throw new Error(`unknown resource type ${String(check)}`);
      }
    }
  }

  const azMonitors = config.monitors.filter((m) => m.type === 'awsazw');
  if (azMonitors.length > 0) {
    const zones = await c.read('AWS', 'availability-zones', 'ec2:DescribeAvailabilityZones', () => aws.describeAvailabilityZones({}, o));
    for (const m of azMonitors) {
      for (const server of monitorServers(config, m)) {
        const az = str(effectiveParams(m, server)['availabilityZone']);
        if (!zones || !az) continue;
        const zone = zones.find((z) => z.name === az);
        const subject = `${m.name} @ ${server}`;
        if (!zone) c.fail(subject, 'availability-zone', `Invalid availability zone: [${az}]`, `Use one of ${zones.map((z) => z.name).join(', ')} (the AZ of ${server}'s instance).`);
        else c.pass(subject, 'availability-zone', `${az} exists (${zone.state}).`);
      }
    }
  }

  if (config.cluster.forcedStop.enabled) {
    for (const s of config.servers) {
      const subject = s.name;
      if (!s.instanceId) {
        c.fail(subject, 'forced-stop-instance', `Forced stop is on but ${s.name} has no instance ID.`, `Set the instance ID of ${s.name} (the wizard can discover it).`);
        continue;
      }
      const instanceId = s.instanceId;
      const [instance] = (await c.read(subject, 'forced-stop-instance', 'ec2:DescribeInstances', () => aws.describeInstances({ ids: [instanceId] }, o))) ?? [];
      if (instance) c.pass(subject, 'forced-stop-instance', `Instance ${instanceId} exists (${instance.state}).`);
    }
  }
  return c.list;
}
