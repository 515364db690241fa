/**
 * Mirror disks as clpmdstat shows them: the mirror status, each server's colour (GREEN up to date, YELLOW
 * recovering, RED stale or failed, GRAY stopped or unknown), last update and break times, and while a recovery
 * runs a progress bar with its rate and the time left. Mirror recovery, forced recovery (choosing the
 * up-to-date server) and mirror break.
 */
import type { ClusterStatus, Lang, MirrorStatus } from '@kumo/shared';
import { useI18n } from '../../lib/i18n/i18n-context';
import { formatAlertTime } from '../alert-log/alert-log';
import { mirrorOps } from './op-specs';
import { OpButton, RunningMark } from './operations';
import { Columns, StateWord } from './state-word';
import { MIRROR_COLOR, MIRROR_ROLE, MIRROR_STATE, O } from './strings';

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function formatDuration(seconds: number, lang: Lang): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const min = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (lang === 'ja') return h > 0 ? `${h} 時間 ${min} 分` : min > 0 ? `${min} 分 ${sec} 秒` : `${sec} 秒`;
  return h > 0 ? `${h} h ${min} min` : min > 0 ? `${min} min ${sec} s` : `${sec} s`;
}

/** A time as CLUSTERPRO writes it everywhere (yyyy/mm/dd hh:mm:ss, the browser's time zone), whatever the language. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  return formatAlertTime(ms).slice(0, -4);
}

export function MirrorsPanel({ status }: { readonly status: ClusterStatus }) {
  const { t } = useI18n();
  if (status.mirrors.length === 0) return null;
  return (
    <section className="dash-section" aria-labelledby="mirrors-title">
      <h3 id="mirrors-title">{t(O.mirrors)}</h3>
      <div className="mirrors">
        {status.mirrors.map((md) => (
          <MirrorCard key={md.name} md={md} />
        ))}
      </div>
    </section>
  );
}

function MirrorCard({ md }: { readonly md: MirrorStatus }) {
  const { t, lang } = useI18n();
  const r = md.recovery;
  const pct = r && r.totalBytes > 0 ? Math.min(100, Math.floor((r.doneBytes / r.totalBytes) * 100)) : 0;
  const servers = Object.entries(md.perServer);
  return (
    <article className="mirror-card" aria-labelledby={`md-${md.name}`}>
      <div className="mirror-head">
        <h4 id={`md-${md.name}`}>{md.name}</h4>
        <span className="muted">{md.group}</span>
        <StateWord state={md.status} words={MIRROR_STATE} />
        <RunningMark opKey={`mirror:${md.name}`} />
      </div>
      <table className="table mirror-table" aria-labelledby={`md-${md.name}`}>
        <Columns names={[O.name, O.state, O.lastUpdate, O.breakTime]} />
        <tbody>
          {servers.map(([server, p]) => (
            <tr key={server}>
              <th scope="row">{server}</th>
              <td>
                <span className={`md-color md-${p.color}`}>
                  <span className="md-swatch" aria-hidden="true" />
                  {t(MIRROR_COLOR[p.color] ?? { en: p.color, ja: p.color })}
                </span>
                {p.role ? <RoleWord role={p.role} /> : null}
              </td>
              <td>{formatTime(p.lastUpdateTime)}</td>
              <td>{formatTime(p.breakTime)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {r ? (
        <div className="md-progress">
          <div
            role="progressbar"
            aria-label={t(O.recoveryProgress(md.name))}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={pct}
            aria-valuetext={`${pct}%`}
            className="progress"
          >
            <div className="progress-bar" style={{ width: `${pct}%` }} />
          </div>
          <p className="detail">
            {t(O.recoveryDetail(pct, `${formatBytes(r.rateBytesPerSec)}/s`, r.remainingSeconds === null ? null : formatDuration(r.remainingSeconds, lang), r.source, r.target))} ({formatBytes(r.doneBytes)} / {formatBytes(r.totalBytes)})
          </p>
        </div>
      ) : null}
      <div className="actions">
        <OpButton spec={mirrorOps.recover(md)} verb={O.mdRecover} disabled={md.status === 'normal' || md.status === 'recovering'} />
        <OpButton spec={mirrorOps.force(md)} verb={O.mdForce} danger disabled={md.status === 'recovering'} />
        <OpButton spec={mirrorOps.break(md)} verb={O.mdBreak} danger disabled={md.status === 'isolated'} />
      </div>
    </article>
  );
}

function RoleWord({ role }: { readonly role: string }) {
  const { t } = useI18n();
  const word = MIRROR_ROLE[role];
  return word ? <span className="muted"> {t(word)}</span> : null;
}
