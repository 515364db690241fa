/**
 * Groups with their state, the server they run on and what they are doing (the status's `pending`), each
 * followed by its resources; start, stop and move for a group (among its startup servers), start and stop for
 * a resource.
 */
import type { ClusterStatus, GroupStatus } from '@kumo/shared';
import { useI18n } from '../../lib/i18n/i18n-context';
import { groupOps, resourceOps } from './op-specs';
import { OpButton, RunningMark } from './operations';
import { Columns, StateWord, TypeName } from './state-word';
import { O, PENDING } from './strings';

const ACTIVE = new Set(['online', 'online-pending', 'online-failure', 'offline-failure', 'error']);

export function GroupsTable({ status, startupServers }: { readonly status: ClusterStatus; readonly startupServers: (group: string) => readonly string[] }) {
  const { t } = useI18n();
  return (
    <section className="dash-section" aria-labelledby="groups-title">
      <h3 id="groups-title">{t(O.groups)}</h3>
      {status.groups.length === 0 ? (
        <p className="muted">{t(O.noGroups)}</p>
      ) : (
        <table className="table groups" aria-labelledby="groups-title">
          <Columns names={[O.name, O.state, O.current, O.actions]} />
          {status.groups.map((g) => (
            <GroupRows key={g.name} group={g} startup={startupServers(g.name)} />
          ))}
        </table>
      )}
    </section>
  );
}

function GroupRows({ group: g, startup }: { readonly group: GroupStatus; readonly startup: readonly string[] }) {
  const { t } = useI18n();
  const online = g.current !== null || ACTIVE.has(g.state);
  const pending = g.pending ? PENDING[g.pending.operation]?.(g.pending.target) : undefined;
  return (
    <tbody className="group-rows">
      <tr className={`group-row${g.pending ? ' is-pending' : ''}`}>
        <th scope="row">{g.name}</th>
        <td>
          <StateWord state={g.state} />
          {pending ? (
            <span className="pending">
              <span className="spinner" aria-hidden="true" />
              {t(pending)}
            </span>
          ) : null}
          <RunningMark opKey={`group:${g.name}`} />
          {g.activeOn.length > 1 ? <span className="state state-error"> {t(O.activeOnMany(g.activeOn.join(', ')))}</span> : null}
          {g.message ? <span className="detail"> {g.message}</span> : null}
        </td>
        <td>{g.current ?? '-'}</td>
        <td className="actions">
          <OpButton spec={groupOps.start(g, startup)} verb={O.start} disabled={g.state === 'online'} />
          <OpButton spec={groupOps.stop(g)} verb={O.stop} disabled={!online} />
          <OpButton spec={groupOps.move(g, startup)} verb={O.move} disabled={g.current === null || startup.every((s) => s === g.current)} />
        </td>
      </tr>
      {g.resources.map((r) => (
        <tr key={r.name} className="resource-row">
          <th scope="row">
            <span className="indent" aria-hidden="true">
              └
            </span>
            {r.name}{' '}
            <span className="muted">
              <TypeName type={r.type} />
            </span>
          </th>
          <td>
            <StateWord state={r.state} />
            {r.message ? <span className="detail"> {r.message}</span> : null}
          </td>
          <td />
          <td className="actions">
            <OpButton spec={resourceOps.start(r.name, g.name)} verb={O.start} disabled={r.state === 'online' || g.current === null} />
            <OpButton spec={resourceOps.stop(r.name, g.name)} verb={O.stop} disabled={r.state === 'offline'} />
          </td>
        </tr>
      ))}
    </tbody>
  );
}
