/**
 * Operation mode, minimal for now: a read-only status table from `status.get` and the live `status` events
 * (servers and heartbeats, groups with their current server and resources, monitors per server). The dashboard
 * with operations and the alert log replaces it in the next issue.
 */
import type { ClusterStatus, Msg } from '@kumo/shared';
import { errorText } from '../../lib/i18n/error-text';
import { useI18n } from '../../lib/i18n/i18n-context';
import { S } from '../../lib/i18n/strings';

const m = (en: string, ja: string): Msg => ({ en, ja });

/** CLUSTERPRO's state words (clpstat's in English, the WebUI's in Japanese). */
const STATE: Record<string, Msg> = {
  online: m('Online', '起動済'),
  offline: m('Offline', '停止済'),
  stopped: m('Stopped', '停止済'),
  isolated: m('Isolated', '孤立'),
  suspended: m('Suspend', 'サスペンド'),
  unknown: m('Unknown', '不明'),
  'online-pending': m('Online Pending', '起動処理中'),
  'offline-pending': m('Offline Pending', '停止処理中'),
  'online-failure': m('Online Failure', '起動異常'),
  'offline-failure': m('Offline Failure', '停止異常'),
  error: m('Error', '異常'),
  normal: m('Normal', '正常'),
  warning: m('Warning', '警告'),
  delayed: m('Delayed', '遅延'),
  'dummy-failure': m('Dummy Failure', '疑似障害'),
  running: m('Running', '起動済'),
  partial: m('Partially running', '一部起動'),
  unconfigured: m('Not configured', '未構成'),
};

function State({ state }: { state: string }) {
  const { t } = useI18n();
  const word = STATE[state];
  return <span className={`state state-${state}`}>{word ? t(word) : state}</span>;
}

export function StatusView({ status, error }: { status: ClusterStatus | null; error: unknown }) {
  const { t, lang } = useI18n();
  const serverNames = status?.servers.map((s) => s.name) ?? [];
  return (
    <div className="operation">
      <p className="notice notice-info">{t(S.operationMinimalNote)}</p>
      {error ? (
        <p role="alert" className="notice notice-error">
          {t(S.statusUnavailable)} {errorText(error, lang).sentence}
        </p>
      ) : null}
      {!status ? (
        <p className="muted">{t(S.statusNone)}</p>
      ) : status.cluster.state === 'unconfigured' ? (
        <p className="muted">{t(S.unconfigured)}</p>
      ) : (
        <>
          <table className="table" aria-label={t(S.statusCluster)}>
            <tbody>
              <tr>
                <th scope="row">{t(S.statusCluster)}</th>
                <td>{status.cluster.name}</td>
                <td>
                  <State state={status.cluster.state} />
                </td>
                <td className="muted">
                  {t(S.masterServer)}: {status.cluster.master ?? '-'}
                </td>
              </tr>
            </tbody>
          </table>
          <table className="table" aria-label={t(S.statusServers)}>
            <caption>{t(S.statusServers)}</caption>
            <thead>
              <tr>
                <th scope="col">{t(S.statusName)}</th>
                <th scope="col">{t(S.statusAddress)}</th>
                <th scope="col">{t(S.statusState)}</th>
                <th scope="col">{t(S.statusHeartbeats)}</th>
              </tr>
            </thead>
            <tbody>
              {status.servers.map((s) => (
                <tr key={s.name}>
                  <th scope="row">
                    {s.name}
                    {s.isMaster ? <span className="tag">{t(S.statusMaster)}</span> : null}
                    {s.isLocal ? <span className="tag tag-muted">{t(S.statusLocal)}</span> : null}
                  </th>
                  <td>{s.address}</td>
                  <td>
                    <State state={s.state} />
                  </td>
                  <td>
                    {s.heartbeats.map((h) => (
                      <span key={h.priority} className="hb">
                        {h.priority}: <State state={h.state} />
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="table" aria-label={t(S.statusGroups)}>
            <caption>{t(S.statusGroups)}</caption>
            <thead>
              <tr>
                <th scope="col">{t(S.statusName)}</th>
                <th scope="col">{t(S.statusState)}</th>
                <th scope="col">{t(S.statusCurrent)}</th>
                <th scope="col">{t(S.statusResources)}</th>
              </tr>
            </thead>
            <tbody>
              {status.groups.map((g) => (
                <tr key={g.name}>
                  <th scope="row">{g.name}</th>
                  <td>
                    <State state={g.state} />
                  </td>
                  <td>{g.current ?? '-'}</td>
                  <td>
                    {g.resources.map((r) => (
                      <span key={r.name} className="res">
                        {r.name}: <State state={r.state} />
                        {r.message ? <span className="muted"> {r.message}</span> : null}
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="table" aria-label={t(S.statusMonitors)}>
            <caption>{t(S.statusMonitors)}</caption>
            <thead>
              <tr>
                <th scope="col">{t(S.statusName)}</th>
                {serverNames.map((n) => (
                  <th scope="col" key={n}>
                    {n}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {status.monitors.map((mon) => (
                <tr key={mon.name}>
                  <th scope="row">{mon.name}</th>
                  {serverNames.map((n) => {
                    const p = mon.perServer[n];
                    return <td key={n}>{p ? <State state={p.state} /> : '-'}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
