/**
 * Servers: state, heartbeats per interconnect (as the agent the page talks to hears them; its own row has
 * none), NP targets, and the cluster service's start and stop on that server.
 */
import type { ClusterStatus } from '@kumo/shared';
import { useI18n } from '../../lib/i18n/i18n-context';
import { serverOps } from './op-specs';
import { OpButton, RunningMark } from './operations';
import { Columns, StateWord, npLabel } from './state-word';
import { O } from './strings';

export function ServersTable({ status }: { readonly status: ClusterStatus }) {
  const { t } = useI18n();
  return (
    <section className="dash-section" aria-labelledby="servers-title">
      <h3 id="servers-title">{t(O.servers)}</h3>
      <table className="table" aria-labelledby="servers-title">
        <Columns names={[O.name, O.address, O.state, O.heartbeats, O.np, O.actions]} />
        <tbody>
          {status.servers.map((s) => (
            <tr key={s.name}>
              <th scope="row">
                {s.isLocal ? <span aria-hidden="true">*</span> : null}
                {s.name}
                {s.isMaster ? <span className="tag">{t(O.masterTag)}</span> : null}
                {s.isLocal ? <span className="tag tag-muted">{t(O.localTag)}</span> : null}
              </th>
              <td>{s.address}</td>
              <td>
                <StateWord state={s.state} />
                <RunningMark opKey={`server:${s.name}`} />
              </td>
              <td>
                {s.isLocal ? (
                  <span className="muted">{t(O.notSeenFromHere)}</span>
                ) : (
                  <ul className="plain">
                    {s.heartbeats.map((h) => (
                      <li key={h.priority}>
                        {t(O.interconnect(h.priority))}: <StateWord state={h.state} />
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td>
                <ul className="plain">
                  {s.np.map((n) => (
                    <li key={`${n.kind}:${n.target}`}>
                      {npLabel(n)}: <StateWord state={n.state} />
                    </li>
                  ))}
                </ul>
              </td>
              <td className="actions">
                <OpButton spec={serverOps.start(s.name)} verb={O.serviceStart} disabled={s.state === 'online' || s.state === 'offline'} />
                <OpButton spec={serverOps.stop(s.name)} verb={O.serviceStop} disabled={s.state === 'stopped' || s.state === 'offline'} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
