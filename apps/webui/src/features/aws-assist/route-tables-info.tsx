/**
 * Information for an AWS virtual IP: which route tables of the VPC already hold `VIP/32` and where it points.
 * awsvip rewrites every such route at activation, so a missing one is worth saying before Apply. A VIP inside the
 * VPC's CIDR can never work (awsvip refuses it: "7 : The VIP address … belongs to a VPC subnet."), and adding a
 * route would not help: then that is what is said, with the agent preflight's words.
 */
import { IPV4_RE } from '@kumo/shared';
import type { Msg } from '@kumo/shared';
import { useI18n } from '../../lib/i18n/i18n-context';
import { S } from '../../lib/i18n/strings';
import { useDiscovery } from './discovery';

const VPC_RE = /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/;

// The agent's preflight sentence (apps/agent/src/aws/preflight.ts) and its fix. Kept here rather than in the
// shared strings while another change owns lib/i18n.
const vipInVpc = (ip: string, cidr: string): Msg => ({
  en: `The VIP address ${ip} belongs to a VPC subnet. Choose a VIP outside the VPC CIDR ${cidr} (for example 10.1.0.20 for 10.0.0.0/16): the route tables carry it, not a subnet.`,
  ja: `VIP アドレス ${ip} は VPC のサブネットに属しています。VPC の CIDR ${cidr} の範囲外のアドレスを選んでください (例: VPC 10.0.0.0/16 に対して 10.1.0.20)。VIP はサブネットではなくルートテーブルで運ばれます。`,
});

function ipv4ToNumber(ip: string): number | undefined {
  if (!IPV4_RE.test(ip)) return undefined;
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** Whether `ip` lies inside `cidr` (a.b.c.d/n). */
export function ipInCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const addr = ipv4ToNumber(ip);
  const net = base === undefined ? undefined : ipv4ToNumber(base);
  const bits = Number(bitsText ?? '32');
  if (addr === undefined || net === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(addr / size) === Math.floor(net / size);
}

function cidrsOf(detail: Record<string, unknown> | undefined): string[] {
  const cidrs = detail?.['cidrs'];
  return Array.isArray(cidrs) ? cidrs.filter((c): c is string => typeof c === 'string') : [];
}

interface HostRoute {
  destination?: string;
  target?: string;
}

function hostRoutes(detail: Record<string, unknown> | undefined): HostRoute[] {
  const routes = detail?.['hostRoutes'];
  return Array.isArray(routes) ? routes.filter((r): r is HostRoute => typeof r === 'object' && r !== null) : [];
}

export function RouteTablesInfo({ ip, vpcId }: { ip: string; vpcId: string }) {
  const { t } = useI18n();
  const valid = IPV4_RE.test(ip);
  const state = useDiscovery(valid ? 'routeTables' : null, VPC_RE.test(vpcId) ? vpcId : undefined);
  const vpcs = useDiscovery(valid && VPC_RE.test(vpcId) ? 'vpcs' : null);
  const vpc = vpcs?.status === 'ready' ? vpcs.items.find((v) => v.id === vpcId) : undefined;
  const inside = valid ? cidrsOf(vpc?.detail).find((c) => ipInCidr(ip, c)) : undefined;
  if (inside) {
    return (
      <section className="notice notice-warn" aria-label={t(S.routeTablesTitle)}>
        <h3>{t(S.routeTablesTitle)}</h3>
        <p>{t(vipInVpc(ip, inside))}</p>
      </section>
    );
  }
  if (!valid || state?.status !== 'ready') return null;
  const destination = `${ip}/32`;
  const tables = state.items
    .map((item) => ({ item, route: hostRoutes(item.detail).find((r) => r.destination === destination) }))
    .filter((x) => x.route !== undefined);
  return (
    <section className={`notice ${tables.length > 0 ? 'notice-info' : 'notice-warn'}`} aria-label={t(S.routeTablesTitle)}>
      <h3>{t(S.routeTablesTitle)}</h3>
      {tables.length > 0 ? (
        <>
          <p>{t(S.routeTablesFor(ip))}</p>
          <ul>
            {tables.map(({ item, route }) => (
              <li key={item.id}>
                <code>{item.id}</code>: {destination} → <code>{route?.target ?? '?'}</code>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>{t(S.routeTablesNone(ip))}</p>
      )}
    </section>
  );
}
