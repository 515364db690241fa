/**
 * Pages of a group resource: "Info" (type and name), "Dependency", "Recovery Operation" and "Details" (the
 * catalogue-driven form with its Common and per-server tabs).
 */
import { activationDepths, RESOURCE_TYPE_IDS, RESOURCE_TYPES, resourceDependencies } from '@kumo/shared';
import { CheckboxField, NumberField, RadioGroup, SelectField } from '../../../components/form';
import { useI18n } from '../../../lib/i18n/i18n-context';
import { S } from '../../../lib/i18n/strings';
import { RouteTablesInfo } from '../../aws-assist/route-tables-info';
import { BoundNumber, BoundSelect, BoundText } from '../bound-fields';
import { retypeResource, serversOf } from '../draft';
import { PageErrors, useDraft, useFieldErrors } from '../draft-context';
import { ParamForm } from '../param-form';
import { under } from '../scope';
import type { Scope } from '../scope';

const at = (gi: number, ri: number) => ['groups', gi, 'resources', ri] as const;

export const resourceInfoScope = (gi: number, ri: number): Scope => under([...at(gi, ri), 'name'], [...at(gi, ri), 'type'], [...at(gi, ri), 'comment']);
export const dependencyScope = (gi: number, ri: number): Scope => under([...at(gi, ri), 'dependency']);
export const recoveryOperationScope = (gi: number, ri: number): Scope => under([...at(gi, ri), 'recovery']);
export const resourceDetailsScope = (gi: number, ri: number): Scope =>
  under([...at(gi, ri), 'params'], [...at(gi, ri), 'perServer'], [...at(gi, ri), 'timeouts']);

export function ResourceInfoPage({ gi, ri, isNew }: { gi: number; ri: number; isNew: boolean }) {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const resource = draft.groups[gi]?.resources[ri];
  if (!resource) return null;
  return (
    <div className="form-grid">
      <SelectField
        label={t(S.resourceType)}
        value={resource.type}
        disabled={!isNew}
        options={RESOURCE_TYPE_IDS.map((id) => ({ value: id, label: t(RESOURCE_TYPES[id].label) }))}
        onChange={(v) =>
          update((d) => {
            const r = d.groups[gi]?.resources[ri];
            const type = RESOURCE_TYPE_IDS.find((id) => id === v);
            if (r && type) retypeResource(d, r, type);
          })
        }
      />
      <p className="field-help">{t(RESOURCE_TYPES[resource.type].help)}</p>
      <BoundText path={[...at(gi, ri), 'name']} label={t(S.resourceName)} />
      <BoundText path={[...at(gi, ri), 'comment']} label={t(S.comment)} />
    </div>
  );
}

export function DependencyPage({ gi, ri }: { gi: number; ri: number }) {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const { messages } = useFieldErrors([...at(gi, ri), 'dependency']);
  const group = draft.groups[gi];
  const resource = group?.resources[ri];
  if (!group || !resource) return null;
  const followDefault = resource.dependency.mode === 'default';
  const current = resourceDependencies(group, resource);
  const others = group.resources.filter((r) => r !== resource);
  let order: string[][];
  try {
    order = activationDepths(group);
  } catch {
    order = [];
  }
  const setExplicit = (names: string[]) =>
    update((d) => {
      const r = d.groups[gi]?.resources[ri];
      if (r) r.dependency = { mode: 'explicit', dependsOn: names };
    });
  return (
    <div>
      <CheckboxField
        label={t(S.followDefaultDependency)}
        checked={followDefault}
        errors={messages}
        onChange={(on) =>
          update((d) => {
            const g = d.groups[gi];
            const r = g?.resources[ri];
            if (!g || !r) return;
            r.dependency = on ? { mode: 'default' } : { mode: 'explicit', dependsOn: resourceDependencies(g, r) };
          })
        }
      />
      {followDefault ? (
        <p>
          {t(S.defaultDependencyIs)}: <strong>{current.length > 0 ? current.join(', ') : t(S.none)}</strong>
        </p>
      ) : (
        <fieldset>
          <legend>{t(S.dependencyChoose)}</legend>
          {others.length === 0 ? <p className="muted">{t(S.noOtherResources)}</p> : null}
          {others.map((o) => (
            <CheckboxField
              key={o.name}
              label={o.name}
              checked={current.includes(o.name)}
              onChange={(on) => setExplicit(on ? [...current, o.name] : current.filter((n) => n !== o.name))}
            />
          ))}
        </fieldset>
      )}
      {order.length > 0 ? (
        <p className="muted">
          {t(S.activationOrder)}: {order.map((level) => level.join(' + ')).join(' → ')}
        </p>
      ) : null}
      <PageErrors scope={dependencyScope(gi, ri)} placed={(p) => p.length === 5} />
    </div>
  );
}

export function RecoveryOperationPage({ gi, ri }: { gi: number; ri: number }) {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const base = [...at(gi, ri), 'recovery'] as const;
  const fo = useFieldErrors([...base, 'activation', 'failoverThreshold']);
  const resource = draft.groups[gi]?.resources[ri];
  if (!resource) return null;
  const threshold = resource.recovery.activation.failoverThreshold;
  const setThreshold = (v: number | string | undefined) =>
    update((d) => {
      const r = d.groups[gi]?.resources[ri];
      // A value being typed may be text for a moment; the validator explains it.
      if (r) (r.recovery.activation as { failoverThreshold: unknown }).failoverThreshold = v ?? 0;
    });
  const actOptions = [
    { value: 'none-continue', label: t(S.actNoneContinue) },
    { value: 'none', label: t(S.actNone) },
    { value: 'stop-group', label: t(S.actStopGroup) },
    { value: 'stop-service', label: t(S.actStopService) },
    { value: 'shutdown', label: t(S.actShutdown) },
    { value: 'reboot', label: t(S.actReboot) },
  ];
  const deactOptions = [
    { value: 'none-continue', label: t(S.deactNoneContinue) },
    { value: 'none', label: t(S.deactNone) },
    { value: 'stop-service', label: t(S.actStopService) },
    { value: 'shutdown', label: t(S.actShutdown) },
    { value: 'reboot', label: t(S.actReboot) },
  ];
  return (
    <div>
      <fieldset>
        <legend>{t(S.activationFailure)}</legend>
        <div className="form-grid">
          <BoundNumber path={[...base, 'activation', 'retryCount']} label={t(S.activationRetryThreshold)} />
          <RadioGroup
            legend={t(S.failoverThreshold)}
            value={threshold === 'servers' ? 'servers' : 'count'}
            options={[
              { value: 'servers', label: t(S.failoverThresholdServers) },
              { value: 'count', label: t(S.failoverThresholdCount) },
            ]}
            onChange={(v) => setThreshold(v === 'servers' ? 'servers' : draft.servers.length)}
          >
            {threshold === 'servers' ? null : (
              <NumberField label={t(S.failoverThresholdValue)} value={threshold} errors={fo.messages} onBlur={fo.touch} onChange={setThreshold} />
            )}
          </RadioGroup>
          <BoundSelect path={[...base, 'activation', 'finalAction']} label={t(S.finalAction)} options={actOptions} />
        </div>
      </fieldset>
      <fieldset>
        <legend>{t(S.deactivationFailure)}</legend>
        <div className="form-grid">
          <BoundNumber path={[...base, 'deactivation', 'retryCount']} label={t(S.deactivationRetryThreshold)} />
          <BoundSelect path={[...base, 'deactivation', 'finalAction']} label={t(S.finalAction)} options={deactOptions} />
        </div>
      </fieldset>
      <PageErrors scope={recoveryOperationScope(gi, ri)} placed={(p) => p.length === 7} />
    </div>
  );
}

export function ResourceDetailsPage({ gi, ri }: { gi: number; ri: number }) {
  const { draft } = useDraft();
  const group = draft.groups[gi];
  const resource = group?.resources[ri];
  if (!group || !resource) return null;
  const def = RESOURCE_TYPES[resource.type];
  const extra =
    resource.type === 'awsvip' ? (
      <RouteTablesInfo ip={typeof resource.params['ip'] === 'string' ? resource.params['ip'] : ''} vpcId={typeof resource.params['vpcId'] === 'string' ? resource.params['vpcId'] : ''} />
    ) : null;
  return <ParamForm key={`${gi}:${ri}:${resource.type}`} def={def} base={at(gi, ri)} servers={serversOf(draft, group.startupServers)} extra={extra} />;
}
