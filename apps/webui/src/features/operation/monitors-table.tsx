/**
 * Monitors with their state on each server that runs them; suspend and resume (one or all), and a simulated
 * failure (CLUSTERPRO's dummy failure) switched on for one server or all, and off again.
 */
import type { ClusterStatus } from '@kumo/shared';
import { useI18n } from '../../lib/i18n/i18n-context';
import { monitorOps } from './op-specs';
import { OpButton, RunningMark } from './operations';
import { Columns, StateWord, TypeName } from './state-word';
import { O } from './strings';

export function MonitorsTable({ status }: { readonly status: ClusterStatus }) {
  const { t } = useI18n();
  const servers = status.servers.map((s) => s.name);
  const states = status.monitors.flatMap((mon) => Object.values(mon.perServer).map((p) => p.state));
  return (
    <section className="dash-section" aria-labelledby="monitors-title">
      <div className="section-head">
        <h3 id="monitors-title">{t(O.monitors)}</h3>
        <div className="actions">
          <OpButton spec={monitorOps.suspend(null)} verb={O.allMonitors(O.monitorSuspend)} disabled={status.monitors.length === 0 || states.every((s) => s === 'suspended')} />
          <OpButton spec={monitorOps.resume(null)} verb={O.allMonitors(O.monitorResume)} disabled={!states.includes('suspended')} />
        </div>
      </div>
      {status.monitors.length === 0 ? (
        <p className="muted">{t(O.noMonitors)}</p>
      ) : (
        <table className="table" aria-labelledby="monitors-title">
          <Columns names={[O.name, ...servers, O.actions]} />
          <tbody>
            {status.monitors.map((mon) => {
              const on = servers.filter((s) => mon.perServer[s] !== undefined);
              const mine = Object.values(mon.perServer);
              const dummy = mine.some((p) => p.state === 'dummy-failure');
              const suspended = mine.some((p) => p.state === 'suspended');
              return (
                <tr key={mon.name}>
                  <th scope="row">
                    {mon.name}{' '}
                    <span className="muted">
                      <TypeName type={mon.type} />
                    </span>
                  </th>
                  {servers.map((n) => {
                    const p = mon.perServer[n];
                    return (
                      <td key={n}>
                        {p ? <StateWord state={p.state} monitor /> : <span className="muted">-</span>}
                        {p?.message ? <span className="detail"> {p.message}</span> : null}
                      </td>
                    );
                  })}
                  <td className="actions">
                    <RunningMark opKey={`monitor:${mon.name}`} />
                    <OpButton spec={monitorOps.suspend(mon.name)} verb={O.monitorSuspend} disabled={mine.every((p) => p.state === 'suspended')} />
                    <OpButton spec={monitorOps.resume(mon.name)} verb={O.monitorResume} disabled={!suspended} />
                    {dummy ? <OpButton spec={monitorOps.dummyOff(mon.name)} verb={O.dummyOff} /> : <OpButton spec={monitorOps.dummyOn(mon.name, on)} verb={O.dummyOn} danger />}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
