/**
 * What-if: pick a server, a server's interconnects or a monitor, say it fails, and see what the cluster would
 * do — `whatif.simulate` runs the engine's own decision function in the cluster simulator from today's
 * placement. The steps (server, action, detail) and the outcome come back in the page's language.
 */
import { useState } from 'react';
import type { ClusterStatus, MethodResult, WhatIfFault } from '@kumo/shared';
import { SelectField } from '../../components/form';
import { useAgent } from '../../lib/agent-context';
import { errorText } from '../../lib/i18n/error-text';
import { useI18n } from '../../lib/i18n/i18n-context';
import { Columns } from './state-word';
import { O } from './strings';

type FaultKind = WhatIfFault['kind'];
type Result = MethodResult<'whatif.simulate'>;

export function WhatIf({ status }: { readonly status: ClusterStatus }) {
  const { t, lang } = useI18n();
  const { client } = useAgent();
  const servers = status.servers.map((s) => s.name);
  const monitors = status.monitors.map((mon) => mon.name);
  const [kind, setKind] = useState<FaultKind>('server');
  const [server, setServer] = useState(servers[0] ?? '');
  const [monitor, setMonitor] = useState(monitors[0] ?? '');
  const [monitorServer, setMonitorServer] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<unknown>(null);

  const serverChoice = servers.includes(server) ? server : (servers[0] ?? '');
  const monitorChoice = monitors.includes(monitor) ? monitor : (monitors[0] ?? '');
  const monitorServers = status.monitors.find((x) => x.name === monitorChoice)?.perServer ?? {};

  const fault = (): WhatIfFault | null => {
    switch (kind) {
      case 'server':
        return serverChoice ? { kind, name: serverChoice } : null;
      case 'interconnect':
        return serverChoice ? { kind, server: serverChoice } : null;
      case 'monitor':
        return monitorChoice ? { kind, name: monitorChoice, ...(monitorServer && monitorServer in monitorServers ? { server: monitorServer } : {}) } : null;
      default: {
        const check: never = kind;
        return check;
      }
    }
  };

  const simulate = () => {
    const f = fault();
    if (!f) return;
    setBusy(true);
    setError(null);
    client.request('whatif.simulate', { fault: f, lang }).then(
      (r) => {
        setResult(r);
        setBusy(false);
      },
      (e: unknown) => {
        setResult(null);
        setError(e);
        setBusy(false);
      },
    );
  };

  return (
    <section className="dash-section what-if" aria-labelledby="whatif-title">
      <h3 id="whatif-title">{t(O.whatIf)}</h3>
      <p className="field-help">{t(O.whatIfHelp)}</p>
      <form
        className="what-if-form"
        onSubmit={(e) => {
          e.preventDefault();
          simulate();
        }}
      >
        <SelectField
          label={t(O.fault)}
          value={kind}
          options={[
            { value: 'server', label: t(O.faultServer) },
            { value: 'interconnect', label: t(O.faultInterconnect) },
            { value: 'monitor', label: t(O.faultMonitor) },
          ]}
          onChange={(v) => setKind(v === 'monitor' ? 'monitor' : v === 'interconnect' ? 'interconnect' : 'server')}
        />
        {kind === 'monitor' ? (
          <>
            <SelectField label={t(O.faultMonitorName)} value={monitorChoice} options={monitors.map((x) => ({ value: x, label: x }))} onChange={setMonitor} />
            <SelectField
              label={t(O.faultMonitorServer)}
              value={monitorServer in monitorServers ? monitorServer : ''}
              options={[{ value: '', label: t(O.whereItRuns) }, ...Object.keys(monitorServers).map((x) => ({ value: x, label: x }))]}
              onChange={setMonitorServer}
            />
          </>
        ) : (
          <SelectField label={t(O.faultTarget)} value={serverChoice} options={servers.map((x) => ({ value: x, label: x }))} onChange={setServer} />
        )}
        <button type="submit" className="primary" disabled={busy || fault() === null}>
          {t(busy ? O.simulating : O.simulate)}
        </button>
      </form>
      {error ? (
        <p role="alert" className="notice notice-error">
          {errorText(error, lang).sentence} <span className="detail">{errorText(error, lang).detail}</span>
        </p>
      ) : null}
      {result ? (
        <div className="what-if-result" role="region" aria-labelledby="whatif-result-title">
          <h4 id="whatif-result-title">{t(O.whatWouldHappen)}</h4>
          {result.steps.length === 0 ? (
            <p className="muted">{t(O.noSteps)}</p>
          ) : (
            <table className="table steps" aria-labelledby="whatif-result-title">
              <Columns names={['#', O.stepServer, O.stepAction, O.stepDetail]} />
              <tbody>
                {result.steps.map((s, i) => (
                  <tr key={i} className={`step step-${s.action.replace(/[^a-z]+/gi, '-')}`}>
                    <td>{i + 1}</td>
                    <td>{s.server}</td>
                    <td>{s.action}</td>
                    <td>{s.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="summary">
            <strong>{t(O.summary)}:</strong> {result.summary}
          </p>
        </div>
      ) : null}
    </section>
  );
}
