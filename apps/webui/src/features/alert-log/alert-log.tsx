/**
 * The alert log (CLUSTERPRO's アラートログ): the newest alerts from `alerts.query`, older ones page by page
 * (`beforeId`), new ones live from `alert` events; filtered by server, level and module (the agent filters the
 * query, the page filters the live ones the same way); each rendered from the catalogue in the chosen language.
 *
 * Ids of queried rows are the answering agent's own row ids, while a live event carries the raising server's
 * id; the two lists are therefore merged by what an alert is (server, time, key, arguments), and paging uses the
 * queried ids only. After a reconnect (perhaps to another server) the first page is read again.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ALERTS, alertMessage } from '@kumo/shared';
import type { AlertEntry, AlertLevel } from '@kumo/shared';
import { SelectField } from '../../components/form';
import { useAgent } from '../../lib/agent-context';
import { errorText } from '../../lib/i18n/error-text';
import { useI18n } from '../../lib/i18n/i18n-context';
import { Columns } from '../operation/state-word';
import { A } from './strings';

const PAGE = 50;
const MAX_LIVE = 1000;
const MODULES = [...new Set(Object.values(ALERTS).map((a) => a.module))].sort();
const LEVELS: readonly AlertLevel[] = ['info', 'warning', 'error'];

export interface AlertFilter {
  readonly server: string;
  readonly level: AlertLevel | '';
  readonly module: string;
}

const identity = (e: AlertEntry) => `${e.server}|${e.time}|${e.key}|${JSON.stringify(e.args)}`;

export function matches(e: AlertEntry, f: AlertFilter): boolean {
  return (!f.server || e.server === f.server) && (!f.level || e.level === f.level) && (!f.module || e.module === f.module);
}

/** CLUSTERPRO's alert time: yyyy/mm/dd hh:mm:ss.mmm in the browser's time zone. */
export function formatAlertTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const date = `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())}`;
  const time = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
  return `${date} ${time}`;
}

export function AlertLog({ servers }: { readonly servers: readonly string[] }) {
  const { t, lang } = useI18n();
  const { client } = useAgent();
  const [filter, setFilter] = useState<AlertFilter>({ server: '', level: '', module: '' });
  const [fetched, setFetched] = useState<readonly AlertEntry[]>([]);
  const [live, setLive] = useState<readonly AlertEntry[]>([]);
  const [loading, setLoading] = useState(true);
  const [exhausted, setExhausted] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);

  const query = useCallback(
    (f: AlertFilter, beforeId?: number) =>
      client.request('alerts.query', {
        limit: PAGE,
        ...(beforeId === undefined ? {} : { beforeId }),
        ...(f.server ? { server: f.server } : {}),
        ...(f.level ? { level: f.level } : {}),
        ...(f.module ? { module: f.module } : {}),
      }),
    [client],
  );

  // The first page, again whenever the filter changes or the connection comes back.
  useEffect(() => {
    const ticket = ++latest.current;
    setLoading(true);
    query(filter).then(
      (r) => {
        if (ticket !== latest.current) return;
        setFetched(r.entries);
        setExhausted(r.entries.length < PAGE);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (ticket !== latest.current) return;
        setError(e);
        setLoading(false);
      },
    );
  }, [query, filter, generation]);

  useEffect(() => {
    const offAlert = client.subscribe('alert', (entry) => setLive((l) => [entry, ...l].slice(0, MAX_LIVE)));
    const offState = client.onStateChange((s) => {
      if (s === 'open') setGeneration((g) => g + 1);
    });
    return () => {
      offAlert();
      offState();
    };
  }, [client]);

  const older = () => {
    const oldest = fetched.reduce<number | undefined>((min, e) => (min === undefined || e.id < min ? e.id : min), undefined);
    if (oldest === undefined) return;
    const ticket = latest.current;
    setLoading(true);
    query(filter, oldest).then(
      (r) => {
        if (ticket !== latest.current) return;
        setFetched((f) => [...f, ...r.entries]);
        setExhausted(r.entries.length < PAGE);
        setLoading(false);
      },
      (e: unknown) => {
        if (ticket !== latest.current) return;
        setError(e);
        setLoading(false);
      },
    );
  };

  const rows = useMemo(() => {
    const seen = new Set<string>();
    const out: AlertEntry[] = [];
    for (const e of [...live.filter((x) => matches(x, filter)), ...fetched]) {
      const k = identity(e);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(e);
    }
    return out.sort((a, b) => b.time - a.time);
  }, [live, fetched, filter]);

  const serverOptions = [...new Set([...servers, ...(filter.server ? [filter.server] : [])])];
  return (
    <section className="dash-section alert-log" aria-labelledby="alertlog-title">
      <div className="section-head">
        <h3 id="alertlog-title">{t(A.title)}</h3>
        <span className="muted" role="status">
          {loading ? t(A.loading) : t(A.count(rows.length))}
        </span>
      </div>
      <div className="alert-filters" role="group" aria-label={t(A.filters)}>
        <SelectField
          label={t(A.server)}
          value={filter.server}
          options={[{ value: '', label: t(A.all) }, ...serverOptions.map((s) => ({ value: s, label: s }))]}
          onChange={(server) => setFilter((f) => ({ ...f, server }))}
        />
        <SelectField
          label={t(A.level)}
          value={filter.level}
          options={[{ value: '', label: t(A.all) }, ...LEVELS.map((l) => ({ value: l, label: t(A[l]) }))]}
          onChange={(level) => setFilter((f) => ({ ...f, level: LEVELS.find((l) => l === level) ?? '' }))}
        />
        <SelectField
          label={t(A.module)}
          value={filter.module}
          options={[{ value: '', label: t(A.all) }, ...MODULES.map((mod) => ({ value: mod, label: mod }))]}
          onChange={(module) => setFilter((f) => ({ ...f, module }))}
        />
      </div>
      {error ? (
        <p role="alert" className="notice notice-error">
          {t(A.unavailable)} {errorText(error, lang).sentence}
        </p>
      ) : null}
      {rows.length === 0 && !loading ? (
        <p className="muted">{t(A.none)}</p>
      ) : (
        <table className="table alerts" aria-labelledby="alertlog-title">
          <Columns names={[A.level, A.time, A.server, A.module, A.eventId, A.message]} />
          <tbody>
            {rows.map((e) => (
              <tr key={identity(e)} className={`alert-${e.level}`}>
                <td>
                  <span className={`level level-${e.level}`}>
                    <span className="level-icon" aria-hidden="true" />
                    {t(A[e.level])}
                  </span>
                </td>
                <td className="nowrap">{formatAlertTime(e.time)}</td>
                <td>{e.server}</td>
                <td>{e.module}</td>
                <td>{e.eventId}</td>
                <td>{alertMessage(e, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="alert-more">
        {exhausted ? (
          <span className="muted">{t(A.noMore)}</span>
        ) : (
          <button type="button" onClick={older} disabled={loading || fetched.length === 0}>
            {t(A.older)}
          </button>
        )}
      </div>
    </section>
  );
}
