/**
 * A picture of the cluster: the servers side by side with the interconnect between them (coloured by the
 * heartbeats the agent hears), the NP targets above, and each group drawn inside the server it runs on (in
 * every server that reports it active during a split brain); groups that run nowhere stand aside. Each server
 * is a named group for assistive technology, so "failover1 in server2" is something a test can ask.
 */
import type { ClusterStatus, GroupStatus, ServerStatus } from '@kumo/shared';
import { useI18n } from '../../lib/i18n/i18n-context';
import { StateWord, npLabel } from './state-word';
import { MIRROR_COLOR, O, PENDING } from './strings';

const SEVERITY = ['normal', 'unknown', 'delayed', 'error'] as const;

/** The worst heartbeat state between two servers, as the agent that is one of them hears it. */
function linkState(a: ServerStatus, b: ServerStatus): string {
  const remote = a.isLocal ? b : b.isLocal ? a : null;
  if (!remote || remote.heartbeats.length === 0) return 'unknown';
  return remote.heartbeats.map((h) => h.state).reduce((w, s) => (SEVERITY.indexOf(s) > SEVERITY.indexOf(w as (typeof SEVERITY)[number]) ? s : w), 'normal' as string);
}

export function ClusterDiagram({ status }: { readonly status: ClusterStatus }) {
  const { t } = useI18n();
  const targets = [...new Set(status.servers.flatMap((s) => s.np.map(npLabel)))];
  const nowhere = status.groups.filter((g) => g.activeOn.length === 0 && g.current === null);
  return (
    <figure className="diagram" aria-labelledby="diagram-title">
      <figcaption id="diagram-title">{t(O.diagram)}</figcaption>
      {targets.length > 0 ? (
        <ul className="np-row" aria-label={t(O.diagramWitness)}>
          {targets.map((target) => (
            <li key={target} className="np-target">
              <span className="np-name">{target}</span>
              {status.servers.map((s) => {
                const st = s.np.find((n) => npLabel(n) === target)?.state ?? 'unknown';
                return (
                  <span key={s.name} className={`np-dot dot-${st}`} title={`${s.name}: ${st}`}>
                    <span className="sr-only">
                      {s.name}: <StateWord state={st} />
                    </span>
                  </span>
                );
              })}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="diagram-row">
        {status.servers.map((s, i) => {
          const next = status.servers[i + 1];
          return [
            <ServerBox key={s.name} server={s} status={status} />,
            next ? (
              <div key={`${s.name}-link`} className={`link link-${linkState(s, next)}`} title={`${s.name} ⇄ ${next.name}`}>
                <span className="link-line" aria-hidden="true" />
                <span className="link-label">
                  <span className="sr-only">
                    {s.name} ⇄ {next.name}:{' '}
                  </span>
                  <StateWord state={linkState(s, next)} />
                </span>
              </div>
            ) : null,
          ];
        })}
      </div>
      {nowhere.length > 0 ? (
        <div className="not-running" role="group" aria-label={t(O.diagramNotRunning)}>
          <span className="muted">{t(O.diagramNotRunning)}</span>
          <ul className="chips">
            {nowhere.map((g) => (
              <GroupChip key={g.name} group={g} />
            ))}
          </ul>
        </div>
      ) : null}
    </figure>
  );
}

function ServerBox({ server: s, status }: { readonly server: ServerStatus; readonly status: ClusterStatus }) {
  const { t } = useI18n();
  const groups = status.groups.filter((g) => g.activeOn.includes(s.name) || (g.activeOn.length === 0 && g.current === s.name));
  const mirrors = status.mirrors.filter((md) => md.perServer[s.name]);
  return (
    <div className={`server-box server-${s.state}${s.isLocal ? ' is-local' : ''}`} role="group" aria-label={s.name}>
      <div className="server-head">
        <span className="server-icon" aria-hidden="true">
          ▤
        </span>
        <strong>{s.name}</strong>
        {s.isMaster ? <span className="tag">{t(O.masterTag)}</span> : null}
        {s.isLocal ? <span className="tag tag-muted">{t(O.localTag)}</span> : null}
      </div>
      <div className="server-state">
        <StateWord state={s.state} />
        <span className="muted"> {s.address}</span>
      </div>
      <ul className="chips">
        {groups.map((g) => (
          <GroupChip key={g.name} group={g} split={g.activeOn.length > 1} />
        ))}
      </ul>
      {mirrors.length > 0 ? (
        <ul className="disks">
          {mirrors.map((md) => {
            const color = md.perServer[s.name]?.color ?? 'GRAY';
            return (
              <li key={md.name} className={`md-color md-${color}`}>
                <span className="md-swatch" aria-hidden="true" />
                {md.name}: {t(MIRROR_COLOR[color] ?? { en: color, ja: color })}
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}

function GroupChip({ group: g, split = false }: { readonly group: GroupStatus; readonly split?: boolean }) {
  const { t } = useI18n();
  const pending = g.pending ? PENDING[g.pending.operation]?.(g.pending.target) : undefined;
  return (
    <li className={`chip chip-${split ? 'error' : g.state}${pending ? ' chip-pending' : ''}`}>
      <span className="chip-name">{g.name}</span> <StateWord state={split ? 'error' : g.state} />
      {pending ? (
        <span className="chip-pending-text">
          <span className="spinner" aria-hidden="true" /> {t(pending)}
        </span>
      ) : null}
    </li>
  );
}
