/**
 * Pages of a monitor resource: "Info" (type and name), "Monitor (common)", "Monitor (special)" (the
 * catalogue-driven form, per-server tabs included) and "Recovery Action".
 */
import { MONITOR_TYPE_IDS, MONITOR_TYPES, monitorServers } from '@kumo/shared';
import type { RecoveryTarget } from '@kumo/shared';
import { CheckboxField, RadioGroup, SelectField } from '../../../components/form';
import { useI18n } from '../../../lib/i18n/i18n-context';
import { S } from '../../../lib/i18n/strings';
import { BoundCheckbox, BoundNumber, BoundSelect, BoundText } from '../bound-fields';
import { retypeMonitor } from '../draft';
import { PageErrors, useDraft, useFieldErrors } from '../draft-context';
import { FailoverTime } from '../failover-time';
import { ParamForm } from '../param-form';
import { under } from '../scope';
import type { Scope } from '../scope';

export const monitorInfoScope = (mi: number): Scope => under(['monitors', mi, 'name'], ['monitors', mi, 'type'], ['monitors', mi, 'comment']);
export const monitorCommonScope = (mi: number): Scope => under(['monitors', mi, 'common']);
export const monitorSpecialScope = (mi: number): Scope => under(['monitors', mi, 'params'], ['monitors', mi, 'perServer']);
export const recoveryActionScope = (mi: number): Scope => under(['monitors', mi, 'recovery']);

export function MonitorInfoPage({ mi, isNew }: { mi: number; isNew: boolean }) {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const monitor = draft.monitors[mi];
  if (!monitor) return null;
  return (
    <div className="form-grid">
      <SelectField
        label={t(S.monitorType)}
        value={monitor.type}
        disabled={!isNew}
        options={MONITOR_TYPE_IDS.map((id) => ({ value: id, label: t(MONITOR_TYPES[id].label) }))}
        onChange={(v) => {
          const type = MONITOR_TYPE_IDS.find((id) => id === v);
          if (type) update((d) => retypeMonitor(d, mi, type));
        }}
      />
      <p className="field-help">{t(MONITOR_TYPES[monitor.type].help)}</p>
      <BoundText path={['monitors', mi, 'name']} label={t(S.monitorName)} />
      <BoundText path={['monitors', mi, 'comment']} label={t(S.comment)} />
    </div>
  );
}

export function MonitorCommonPage({ mi }: { mi: number }) {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const target = useFieldErrors(['monitors', mi, 'common', 'target']);
  const monitor = draft.monitors[mi];
  if (!monitor) return null;
  const def = MONITOR_TYPES[monitor.type];
  const base = ['monitors', mi, 'common'] as const;
  const s = t(S.seconds);
  const candidates = draft.groups.flatMap((g) =>
    g.resources.filter((r) => def.targetTypes.length === 0 || def.targetTypes.includes(r.type)).map((r) => ({ value: r.name, label: r.name, group: g.name })),
  );
  const timing = monitor.common.timing ?? def.defaults.timing;
  const allServers = draft.servers.map((x) => x.name);
  const chosen = monitor.common.servers;
  const runs = (server: string) => chosen.length === 0 || chosen.includes(server);
  const setServer = (server: string, on: boolean) =>
    update((d) => {
      const m = d.monitors[mi];
      if (!m) return;
      const next = allServers.filter((x) => (x === server ? on : runs(x)));
      if (next.length === 0) return;
      m.common.servers = next.length === allServers.length ? [] : next;
    });
  return (
    <div>
      <div className="form-grid two">
        <BoundNumber path={[...base, 'intervalS']} label={t(S.monitorInterval)} fallback={def.defaults.intervalS} suffix={s} />
        <BoundNumber path={[...base, 'timeoutS']} label={t(S.monitorTimeout)} fallback={def.defaults.timeoutS} suffix={s} />
        <BoundCheckbox path={[...base, 'noRetryOnTimeout']} label={t(S.noRetryOnTimeout)} />
        <BoundCheckbox path={[...base, 'noRecoveryOnTimeout']} label={t(S.noRecoveryOnTimeout)} />
        <BoundNumber path={[...base, 'retryCount']} label={t(S.monitorRetry)} fallback={def.defaults.retryCount} />
        <BoundNumber path={[...base, 'waitStartS']} label={t(S.monitorWaitStart)} fallback={def.defaults.waitStartS} suffix={s} />
      </div>
      <RadioGroup
        legend={t(S.monitorTiming)}
        value={timing}
        options={[
          { value: 'always', label: t(S.timingAlways) },
          { value: 'active', label: t(S.timingActive) },
        ]}
        onChange={(v) =>
          update((d) => {
            const m = d.monitors[mi];
            if (m) m.common.timing = v;
          })
        }
      >
        <SelectField
          label={t(S.targetResource)}
          value={monitor.common.target ?? ''}
          errors={target.messages}
          onBlur={target.touch}
          options={[{ value: '', label: t(S.none) }, ...candidates]}
          onChange={(v) => {
            target.touch();
            update((d) => {
              const m = d.monitors[mi];
              if (!m) return;
              if (v === '') delete m.common.target;
              else m.common.target = v;
            });
          }}
        />
      </RadioGroup>
      <fieldset>
        <legend>{t(S.monitorServers)}</legend>
        <p className="field-help">{t(S.monitorServersHelp)}</p>
        <div className="check-row">
          {allServers.map((server) => (
            <CheckboxField key={server} label={server} checked={runs(server)} onChange={(on) => setServer(server, on)} />
          ))}
        </div>
      </fieldset>
      <FailoverTime monitorIndex={mi} />
      <PageErrors scope={monitorCommonScope(mi)} placed={(p) => p.length === 4} />
    </div>
  );
}

export function MonitorSpecialPage({ mi }: { mi: number }) {
  const { t } = useI18n();
  const { draft } = useDraft();
  const monitor = draft.monitors[mi];
  if (!monitor) return null;
  const def = MONITOR_TYPES[monitor.type];
  if (Object.keys(def.fields).length === 0) return <p className="muted">{t(S.noSpecialSettings)}</p>;
  return <ParamForm key={`${mi}:${monitor.type}`} def={def} base={['monitors', mi]} servers={monitorServers(draft, monitor)} />;
}

const targetValue = (t: RecoveryTarget): string => (t.kind === 'local-server' ? 'local-server' : `${t.kind}:${t.name}`);

function parseTarget(v: string): RecoveryTarget {
  if (v.startsWith('resource:')) return { kind: 'resource', name: v.slice('resource:'.length) };
  if (v.startsWith('group:')) return { kind: 'group', name: v.slice('group:'.length) };
  return { kind: 'local-server' };
}

export function RecoveryActionPage({ mi }: { mi: number }) {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const targetErrors = useFieldErrors(['monitors', mi, 'recovery', 'target', 'name']);
  const monitor = draft.monitors[mi];
  if (!monitor) return null;
  const base = ['monitors', mi, 'recovery'] as const;
  const resources = draft.groups.flatMap((g) => g.resources.map((r) => ({ value: `resource:${r.name}`, label: r.name, group: t(S.recoveryTargetResources) })));
  const groups = draft.groups.map((g) => ({ value: `group:${g.name}`, label: g.name, group: t(S.recoveryTargetGroups) }));
  const current = targetValue(monitor.recovery.target);
  const options = [{ value: 'local-server', label: t(S.localServer) }, ...groups, ...resources];
  if (!options.some((o) => o.value === current)) options.push({ value: current, label: current.replace(/^\w+:/, '') });
  return (
    <div className="form-grid">
      <SelectField
        label={t(S.recoveryTarget)}
        value={current}
        errors={targetErrors.messages}
        options={options}
        onChange={(v) =>
          update((d) => {
            const m = d.monitors[mi];
            if (m) m.recovery.target = parseTarget(v);
          })
        }
      />
      <BoundNumber path={[...base, 'maxRestarts']} label={t(S.maxRestarts)} />
      <BoundNumber path={[...base, 'maxFailovers']} label={t(S.maxFailovers)} />
      <BoundSelect
        path={[...base, 'finalAction']}
        label={t(S.monitorFinalAction)}
        options={[
          { value: 'none', label: t(S.actNoOperation) },
          { value: 'stop-resource', label: t(S.actStopResource) },
          { value: 'stop-group', label: t(S.actStopGroup) },
          { value: 'stop-service', label: t(S.actStopService) },
          { value: 'shutdown', label: t(S.actShutdown) },
          { value: 'reboot', label: t(S.actReboot) },
        ]}
      />
      <PageErrors scope={recoveryActionScope(mi)} placed={(p) => p.length === 4 || p[4] === 'name'} />
    </div>
  );
}
