/**
 * Operation mode's dashboard: the cluster with its operations, a picture of where the groups run, servers,
 * groups and their resources, monitors and mirror disks, what-if, and the alert log — all live over the
 * `status` and `alert` events. Who may operate is decided by the session's role; a reference login sees the
 * same page with every operation disabled.
 */
import { useMemo } from 'react';
import type { ClusterStatus, ConfigDoc } from '@kumo/shared';
import { groupServers, validateClusterConfig } from '@kumo/shared';
import type { ConnectionState } from '../../lib/agent-socket';
import { errorText } from '../../lib/i18n/error-text';
import { useI18n } from '../../lib/i18n/i18n-context';
import { AlertLog } from '../alert-log/alert-log';
import { ClusterDiagram } from './cluster-diagram';
import { GroupsTable } from './groups-table';
import { MirrorsPanel, formatTime } from './mirrors-panel';
import { MonitorsTable } from './monitors-table';
import { clusterOps } from './op-specs';
import { OpButton, OperationResults, OperationsProvider, RunningMark } from './operations';
import { ServersTable } from './servers-table';
import { StateWord } from './state-word';
import { O } from './strings';
import { WhatIf } from './what-if';

export interface DashboardProps {
  readonly status: ClusterStatus | null;
  readonly statusError: unknown;
  readonly runningDoc: ConfigDoc | null;
  readonly role: 'operate' | 'reference' | null;
  readonly connection: ConnectionState;
  /** The server the page was loaded from, when the page now talks to another one. */
  readonly failedOverFrom: string | null;
  readonly server: string | null;
}

export function Dashboard(props: DashboardProps) {
  const { t, lang } = useI18n();
  const { status } = props;
  const config = useMemo(() => {
    if (!props.runningDoc?.config) return null;
    const r = validateClusterConfig(props.runningDoc.config);
    return r.ok ? r.config : null;
  }, [props.runningDoc]);
  const startupServers = (group: string): readonly string[] => {
    const g = config?.groups.find((x) => x.name === group);
    return g && config ? groupServers(config, g) : (status?.servers.map((s) => s.name) ?? []);
  };
  const canOperate = props.role === 'operate' && props.connection === 'open';
  const reason = props.role !== 'operate' ? O.referenceOnlyButton : null;

  return (
    <OperationsProvider canOperate={canOperate} reason={reason}>
      <div className="operation">
        {props.failedOverFrom && props.server ? <p className="notice notice-warn">{t(O.failedOver(props.failedOverFrom, props.server))}</p> : null}
        {props.connection !== 'open' ? (
          <p className="notice notice-warn" role="status">
            {t(O.disconnected)}
          </p>
        ) : null}
        {props.role === 'reference' ? <p className="notice notice-info">{t(O.referenceOnly)}</p> : null}
        {props.statusError ? (
          <p role="alert" className="notice notice-error">
            {t(O.statusUnavailable)} {errorText(props.statusError, lang).sentence}
          </p>
        ) : null}
        <OperationResults />
        {!status ? (
          <p className="muted">{t(O.noStatus)}</p>
        ) : status.cluster.state === 'unconfigured' ? (
          <p className="muted">{t(O.unconfigured)}</p>
        ) : (
          <>
            <ClusterBar status={status} />
            <div className="dash-top">
              <ClusterDiagram status={status} />
              <WhatIf status={status} />
            </div>
            <GroupsTable status={status} startupServers={startupServers} />
            <ServersTable status={status} />
            <MonitorsTable status={status} />
            <MirrorsPanel status={status} />
            <AlertLog servers={status.servers.map((s) => s.name)} />
          </>
        )}
      </div>
    </OperationsProvider>
  );
}

function ClusterBar({ status }: { readonly status: ClusterStatus }) {
  const { t } = useI18n();
  const c = status.cluster;
  return (
    <section className="cluster-bar" aria-labelledby="cluster-title">
      <div className="cluster-facts">
        <h2 id="cluster-title">
          {t(O.cluster)}: {c.name}
        </h2>
        <StateWord state={c.state} />
        <RunningMark opKey="cluster" />
        <span className="muted">
          {t(O.master)}: <strong>{c.master ?? '-'}</strong>
        </span>
        {c.configVersion !== null ? (
          <span className="muted">
            {t(O.configVersion)}: {c.configVersion}
          </span>
        ) : null}
        <span className="muted">
          {t(O.statusFrom(status.from))}, {t(O.updatedAt(formatTime(status.generatedAt)))}
        </span>
      </div>
      <div className="actions">
        <OpButton spec={clusterOps.start()} verb={O.clusterVerb(O.start)} disabled={c.state === 'running'} />
        <OpButton spec={clusterOps.stop()} verb={O.clusterVerb(O.stop)} disabled={c.state === 'stopped'} danger />
        <OpButton spec={clusterOps.suspend()} verb={O.clusterVerb(O.suspend)} disabled={c.state !== 'running' && c.state !== 'partial'} />
        <OpButton spec={clusterOps.resume()} verb={O.clusterVerb(O.resume)} disabled={c.state !== 'suspended'} />
      </div>
    </section>
  );
}
