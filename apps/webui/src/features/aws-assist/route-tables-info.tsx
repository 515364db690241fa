/**
 * Information for an AWS virtual IP: which route tables of the VPC already hold `VIP/32` and where it points.
 * awsvip rewrites every such route at activation, so a missing one is worth saying before Apply.
 */
import { IPV4_RE } from '@kumo/shared';
import { useI18n } from '../../lib/i18n/i18n-context';
import { S } from '../../lib/i18n/strings';
import { useDiscovery } from './discovery';

const VPC_RE = /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/;

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
