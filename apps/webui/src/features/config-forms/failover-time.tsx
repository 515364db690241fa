/**
 * The failover time the settings imply, with the formula and the numbers: a lost server is detected within the
 * heartbeat timeout (plus forced stop's waits when it is on); an error a monitor sees is detected within
 * interval × (retry count + 1) + timeout, and its recovery then reactivates and fails over as configured.
 */
import { MONITOR_TYPES } from '@kumo/shared';
import type { MonitorConfig } from '@kumo/shared';
import { useI18n } from '../../lib/i18n/i18n-context';
import { S } from '../../lib/i18n/strings';
import type { Draft } from './draft';
import { useDraft } from './draft-context';

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export interface MonitorTiming {
  readonly interval: number;
  readonly retries: number;
  readonly timeout: number;
  readonly total: number;
}

export function monitorDetection(m: MonitorConfig): MonitorTiming {
  const def = MONITOR_TYPES[m.type].defaults;
  const interval = num(m.common.intervalS, def.intervalS);
  const retries = num(m.common.retryCount, def.retryCount);
  const timeout = num(m.common.timeoutS, def.timeoutS);
  return { interval, retries, timeout, total: interval * (retries + 1) + timeout };
}

export function serverDownDetection(d: Draft): { heartbeat: number; forcedStop: number | null } {
  const heartbeat = num(d.cluster.heartbeat.timeoutS, 90);
  const fs = d.cluster.forcedStop;
  // The lowest-priority survivor waits longest before stopping the lost instance, then waits for the stop.
  const forcedStop = fs.enabled ? num(fs.delayPerPriorityS, 10) * Math.max(0, d.servers.length - 1) + num(fs.stopTimeoutS, 240) : null;
  return { heartbeat, forcedStop };
}

export function FailoverTime({ monitorIndex, allMonitors }: { monitorIndex?: number; allMonitors?: boolean }) {
  const { draft } = useDraft();
  const { t } = useI18n();
  const s = t(S.seconds);
  const down = serverDownDetection(draft);
  const monitor = monitorIndex === undefined ? undefined : draft.monitors[monitorIndex];
  const slowest = allMonitors
    ? draft.monitors.map((m) => ({ m, d: monitorDetection(m) })).sort((a, b) => b.d.total - a.d.total)[0]
    : undefined;
  const monitorLine = (m: MonitorConfig) => {
    const d = monitorDetection(m);
    return (
      <>
        <dt>{t(S.monitorDetect)}</dt>
        <dd>
          <span className="formula">
            {m.name}: {fmt(d.interval)} × ({fmt(d.retries)} + 1) + {fmt(d.timeout)} = <strong>{fmt(d.total)} {s}</strong>
          </span>
          <span className="formula-note">{t(S.recoveryOrder(m.recovery.maxRestarts, m.recovery.maxFailovers))}</span>
        </dd>
      </>
    );
  };
  return (
    <section className="failover-time" aria-label={t(S.failoverTime)}>
      <h3>{t(S.failoverTime)}</h3>
      <dl>
        {monitor ? (
          monitorLine(monitor)
        ) : (
          <>
            <dt>{t(S.serverDownDetect)}</dt>
            <dd>
              <span className="formula">
                ≤ <strong>{fmt(down.heartbeat)} {s}</strong>
                {down.forcedStop !== null ? (
                  <>
                    {' '}
                    + {t(S.forcedStopAdds)} {fmt(down.forcedStop)} {s} = <strong>{fmt(down.heartbeat + down.forcedStop)} {s}</strong>
                  </>
                ) : null}
              </span>
              <span className="formula-note">{t(S.thenActivation)}</span>
            </dd>
            {slowest ? (
              <>
                <dt>{t(S.monitorsDetect)}</dt>
                <dd>
                  <span className="formula">
                    {slowest.m.name}: {fmt(slowest.d.interval)} × ({fmt(slowest.d.retries)} + 1) + {fmt(slowest.d.timeout)} ={' '}
                    <strong>
                      {fmt(slowest.d.total)} {s}
                    </strong>
                  </span>
                </dd>
              </>
            ) : null}
          </>
        )}
      </dl>
    </section>
  );
}
