/**
 * Page "NP Resolution": the targets a survivor checks when it loses a server (HTTP, ping, witness) and which
 * servers use each, forced stop, and the action of an isolated server. When the cluster has neither a witness
 * nor forced stop, the page says what a cut interconnect would do (both servers take over: split brain) and
 * offers both remedies.
 */
import { useId } from 'react';
import { httpNpTargetSchema, pingNpTargetSchema, witnessNpTargetSchema } from '@kumo/shared';
import type { NpTarget } from '@kumo/shared';
import { SelectField, TextField } from '../../../components/form';
import { useI18n } from '../../../lib/i18n/i18n-context';
import { S } from '../../../lib/i18n/strings';
import { serverFacts, useDiscovery } from '../../aws-assist/discovery';
import { DiscoveryField } from '../../aws-assist/discovery-field';
import { BoundCheckbox, BoundNumber, BoundSelect, BoundText } from '../bound-fields';
import { PageErrors, useDraft, useFieldErrors } from '../draft-context';
import { anyOf, under } from '../scope';
import type { Scope } from '../scope';

export const npPageScope: Scope = anyOf(under(['cluster', 'np'], ['cluster', 'forcedStop']), (p) => p[0] === 'servers' && p[2] === 'instanceId');

export function newNpTarget(kind: NpTarget['kind']): NpTarget {
  switch (kind) {
    case 'http':
      return { ...httpNpTargetSchema.parse({ kind, host: 'x' }), host: '' };
    case 'ping':
      return { ...pingNpTargetSchema.parse({ kind, addresses: ['127.0.0.1'] }), addresses: [] };
    case 'witness':
      return { ...witnessNpTargetSchema.parse({ kind, host: 'x' }), host: '' };
    default: {
      const check: never = kind;
      return check;
    }
  }
}

/** Whether a cut interconnect is guarded against: a witness target, or forced stop. */
export function hasSplitBrainGuard(targets: readonly NpTarget[], forcedStop: boolean): boolean {
  return forcedStop || targets.some((t) => t.kind === 'witness');
}

function PingAddresses({ index }: { index: number }) {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const base = ['cluster', 'np', 'targets', index, 'addresses'] as const;
  const { messages, touch } = useFieldErrors(base);
  const target = draft.cluster.np.targets[index];
  const elementErrors = useDraft().errors.filter((e) => e.path.length === base.length + 1 && base.every((p, i) => e.path[i] === p));
  if (target?.kind !== 'ping') return null;
  return (
    <TextField
      label={t(S.npAddresses)}
      help={t(S.npAddressesHelp)}
      value={target.addresses.join(', ')}
      errors={[...messages, ...elementErrors.map((e) => t(e.message))]}
      onBlur={touch}
      onChange={(v) => {
        touch();
        update((d) => {
          const x = d.cluster.np.targets[index];
          if (x?.kind === 'ping') x.addresses = v.split(/[\s,]+/).filter(Boolean);
        });
      }}
    />
  );
}

function NpTargetRow({ index }: { index: number }) {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const useLabel = useId();
  const target = draft.cluster.np.targets[index];
  if (!target) return null;
  const base = ['cluster', 'np', 'targets', index] as const;
  const name = t(S.npTarget(index + 1));
  const uses = (server: string) => target.servers.length === 0 || target.servers.includes(server);
  const setUse = (server: string, use: boolean) =>
    update((d) => {
      const x = d.cluster.np.targets[index];
      if (!x) return;
      const all = d.servers.map((s) => s.name);
      const used = all.filter((s) => (s === server ? use : x.servers.length === 0 || x.servers.includes(s)));
      x.servers = used.length === all.length ? [] : used;
    });
  return (
    <fieldset className="np-target">
      <legend>{name}</legend>
      <div className="form-grid four">
        <SelectField
          label={t(S.type)}
          value={target.kind}
          options={[
            { value: 'http', label: t(S.npKindHttp) },
            { value: 'ping', label: t(S.npKindPing) },
            { value: 'witness', label: t(S.npKindWitness) },
          ]}
          onChange={(v) =>
            update((d) => {
              if (v !== 'http' && v !== 'ping' && v !== 'witness') return;
              const old = d.cluster.np.targets[index];
              d.cluster.np.targets[index] = { ...newNpTarget(v), ...(old ? { servers: old.servers } : {}) };
            })
          }
        />
        {target.kind === 'ping' ? (
          <PingAddresses index={index} />
        ) : (
          <>
            <BoundText path={[...base, 'host']} label={t(S.npTargetHost)} placeholder={target.kind === 'http' ? 'aws.amazon.com' : 'witness.example.internal'} />
            <BoundNumber path={[...base, 'port']} label={t(S.npServicePort)} />
            {target.kind === 'http' ? <BoundText path={[...base, 'path']} label={t(S.npPath)} /> : null}
          </>
        )}
      </div>
      {target.kind === 'ping' ? null : <BoundCheckbox path={[...base, 'ssl']} label={t(S.npUseSsl)} />}
      {target.kind === 'witness' ? <p className="field-help">{t(S.npWitnessHelp)}</p> : null}
      <p className="sub-label" id={useLabel}>
        {t(S.npServersUse)}
      </p>
      <div className="np-servers" role="group" aria-labelledby={useLabel}>
        {draft.servers.map((s) => (
          <SelectField
            key={s.name}
            label={s.name}
            value={uses(s.name) ? 'use' : 'no'}
            options={[
              { value: 'use', label: t(S.npUse) },
              { value: 'no', label: t(S.npDoNotUse) },
            ]}
            onChange={(v) => setUse(s.name, v === 'use')}
          />
        ))}
      </div>
      <div className="form-grid three">
        <BoundNumber path={[...base, 'intervalS']} label={t(S.npInterval)} suffix={t(S.seconds)} />
        <BoundNumber path={[...base, 'timeoutS']} label={t(S.npTimeout)} suffix={t(S.seconds)} />
        <BoundNumber path={[...base, 'retryCount']} label={t(S.npRetry)} />
      </div>
      <div className="row-actions">
        <button type="button" className="danger-link" onClick={() => update((d) => void d.cluster.np.targets.splice(index, 1))}>
          {t(S.removeNamed(name))}
        </button>
      </div>
    </fieldset>
  );
}

function InstanceIdField({ index }: { index: number }) {
  const { t } = useI18n();
  const { draft, setAt } = useDraft();
  const server = draft.servers[index];
  const { messages, touch } = useFieldErrors(['servers', index, 'instanceId']);
  if (!server) return null;
  return (
    <DiscoveryField
      what="instances"
      label={t(S.instanceIdOf(server.name))}
      value={server.instanceId ?? ''}
      placeholder="i-0a1b2c3d4e5f60001"
      errors={messages}
      onBlur={touch}
      onChange={(v) => {
        touch();
        setAt(['servers', index, 'instanceId'], v.trim() === '' ? undefined : v.trim());
      }}
    />
  );
}

export function NpPage() {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const enis = useDiscovery(draft.cluster.forcedStop.enabled ? 'networkInterfaces' : null);
  const instances = useDiscovery(draft.cluster.forcedStop.enabled ? 'instances' : null);
  const targets = draft.cluster.np.targets;
  const guarded = hasSplitBrainGuard(targets, draft.cluster.forcedStop.enabled);
  const addTarget = (kind: NpTarget['kind']) => update((d) => void d.cluster.np.targets.push(newNpTarget(kind)));
  const enableForcedStop = () =>
    update((d) => {
      d.cluster.forcedStop.enabled = true;
      for (const s of d.servers) {
        const id = serverFacts(enis, instances, s.address).instanceId;
        if (!s.instanceId && id) s.instanceId = id;
      }
    });
  return (
    <div>
      <p className="page-help">{t(S.npHelp)}</p>
      <h3 className="list-title">{t(S.npList)}</h3>
      {targets.length === 0 ? <p className="muted">{t(S.noNpTargets)}</p> : null}
      {targets.map((target, i) => (
        <NpTargetRow key={`${i}:${target.kind}`} index={i} />
      ))}
      <div className="list-actions">
        <button type="button" onClick={() => addTarget('http')}>
          {t(S.add)}
        </button>
      </div>
      {guarded ? (
        <p className="notice notice-ok" role="status">
          {t(S.splitBrainGuarded)}
        </p>
      ) : (
        <section className="notice notice-warn" role="note" aria-label={t(S.splitBrainTitle)}>
          <h3>{t(S.splitBrainTitle)}</h3>
          <p>{t(S.splitBrain)}</p>
          <div className="notice-actions">
            <button type="button" onClick={() => addTarget('witness')}>
              {t(S.addWitness)}
            </button>
            <button type="button" onClick={enableForcedStop}>
              {t(S.forcedStopUse)}
            </button>
          </div>
        </section>
      )}
      <fieldset>
        <legend>{t(S.forcedStop)}</legend>
        <p className="field-help">{t(S.forcedStopHelp)}</p>
        <label className="field-check">
          <input
            type="checkbox"
            checked={draft.cluster.forcedStop.enabled}
            onChange={(e) => (e.target.checked ? enableForcedStop() : update((d) => void (d.cluster.forcedStop.enabled = false)))}
          />
          <span>{t(S.forcedStopUse)}</span>
        </label>
        {draft.cluster.forcedStop.enabled ? (
          <>
            <div className="form-grid two">
              <BoundNumber path={['cluster', 'forcedStop', 'delayPerPriorityS']} label={t(S.forcedStopDelay)} suffix={t(S.seconds)} />
              <BoundNumber path={['cluster', 'forcedStop', 'stopTimeoutS']} label={t(S.forcedStopTimeout)} suffix={t(S.seconds)} />
            </div>
            <div className="form-grid two">
              {draft.servers.map((s, i) => (
                <InstanceIdField key={s.name} index={i} />
              ))}
            </div>
          </>
        ) : null}
      </fieldset>
      <div className="form-grid">
        <BoundSelect
          path={['cluster', 'np', 'isolationAction']}
          label={t(S.isolationAction)}
          options={[
            { value: 'stop-service', label: t(S.isolationStopService) },
            { value: 'shutdown', label: t(S.isolationShutdown) },
            { value: 'reboot', label: t(S.isolationReboot) },
          ]}
        />
      </div>
      <PageErrors scope={npPageScope} placed={(p) => p.length >= 5 || p[2] === 'instanceId' || (p[1] === 'forcedStop' && p.length === 3)} />
    </div>
  );
}
