/**
 * The details form of a resource or monitor, rendered from its type definition in the shared catalogue: one
 * field per param (label, help, widget, unit, discovery from the field's hint), a "Common" tab, and — when the
 * type has per-server fields — one tab per server where "Set up individually" unlocks that server's own values
 * (only the type's `perServer.allowed` fields; the `required` ones are flagged and must be set on every server).
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { FieldHint, MonitorTypeDef, ResourceTypeDef } from '@kumo/shared';
import { ComboField } from '../../components/combobox';
import { CheckboxField, NumberField, SelectField, TextAreaField, TextField } from '../../components/form';
import type { Option } from '../../components/form';
import { Tabs } from '../../components/tabs';
import { useI18n } from '../../lib/i18n/i18n-context';
import { S } from '../../lib/i18n/strings';
import { serverFacts, useDiscovery } from '../aws-assist/discovery';
import type { DiscoverWhat } from '../aws-assist/discovery';
import { DiscoveryField } from '../aws-assist/discovery-field';
import { getIn } from './draft';
import type { Draft, Path } from './draft';
import { PageErrors, startsWith, useDraft, useFieldErrors, useVisibility } from './draft-context';

type TypeDef = ResourceTypeDef | MonitorTypeDef;

const AWS_DISCOVERY: Partial<Record<NonNullable<FieldHint['discovery']>, DiscoverWhat>> = {
  vpc: 'vpcs',
  eni: 'networkInterfaces',
  eipAllocation: 'eipAllocations',
  hostedZone: 'hostedZones',
  availabilityZone: 'availabilityZones',
};

/** A param's default from the type's schema, or undefined when it has none (it must be entered). */
export function paramDefault(def: TypeDef, key: string): unknown {
  const schema = def.params.shape[key] as { safeParse: (v: unknown) => { success: boolean; data?: unknown } } | undefined;
  const r = schema?.safeParse(undefined);
  return r?.success ? r.data : undefined;
}

/** The UI hint of a param (every param has one: a catalogue test in the shared package says so). */
function hintOf(def: TypeDef, key: string): FieldHint | undefined {
  return (def.fields as Readonly<Record<string, FieldHint | undefined>>)[key];
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** Choices that come from the draft itself rather than from AWS. */
function localOptions(draft: Draft, hint: FieldHint): Option[] | undefined {
  switch (hint.discovery) {
    case 'mdc':
      return draft.interconnects.flatMap((ic) => (ic.mdc ? [{ value: ic.mdc, label: ic.mdc }] : []));
    case 'mdResource':
      return draft.groups.flatMap((g) => g.resources.filter((r) => r.type === 'md').map((r) => ({ value: r.name, label: r.name })));
    default:
      return undefined;
  }
}

function ParamField(props: { def: TypeDef; name: string; path: Path; shown: unknown; disabled?: boolean; badge?: string | undefined; server?: string | undefined }) {
  const { def, name, path, shown } = props;
  const { draft, setAt } = useDraft();
  const { t } = useI18n();
  const { messages, touch } = useFieldErrors(path);
  const hint = hintOf(def, name);
  if (!hint) return null;
  const label = t(hint.label);
  const common = { label, help: t(hint.help), errors: messages, disabled: props.disabled, badge: props.badge, onBlur: touch };
  const set = (v: unknown) => {
    touch();
    setAt(path, v);
  };
  const suffix = hint.unit === 's' ? t(S.seconds) : hint.unit === 'MiB' ? 'MiB/s' : undefined;
  switch (hint.widget) {
    case 'number':
      return (
        <NumberField
          {...common}
          value={typeof shown === 'number' || typeof shown === 'string' ? shown : undefined}
          fallback={undefined}
          suffix={suffix}
          onChange={set}
        />
      );
    case 'checkbox':
      return <CheckboxField {...common} checked={shown === true} onChange={set} />;
    case 'script':
      return <TextAreaField {...common} value={asText(shown)} onChange={(v) => set(v)} />;
    case 'select': {
      const options = localOptions(draft, hint) ?? (hint.options ?? []).map((o) => ({ value: o.value, label: t(o.label) }));
      const value = asText(shown);
      const withBlank = value === '' || !options.some((o) => o.value === value) ? [{ value, label: value || t(S.none) }, ...options] : options;
      return <SelectField {...common} value={value} options={withBlank} onChange={(v) => set(v === '' ? undefined : v)} />;
    }
    case 'text': {
      const what = hint.discovery ? AWS_DISCOVERY[hint.discovery] : undefined;
      const onChange = (v: string) => set(v === '' ? undefined : v);
      if (what) return <DiscoveryField {...common} what={what} value={asText(shown)} placeholder={hint.placeholder} onChange={onChange} />;
      if (hint.discovery === 'privateIp') {
        const options = draft.servers
          .filter((s) => s.address !== '')
          .map((s) => ({ value: s.address, label: `${s.address} (${s.name})` }));
        return <ComboField {...common} value={asText(shown)} placeholder={hint.placeholder} options={options} toggleLabel={t(S.showOptions)} onChange={onChange} />;
      }
      return <TextField {...common} value={asText(shown)} placeholder={hint.placeholder} onChange={onChange} />;
    }
    default: {
      const check: never = hint.widget;
      return check;
    }
  }
}

/** The fields of one tab: the main ones, then the tuning ones behind a toggle (opened when they hold errors). */
function FieldList({ keys, render, tuningPrefixes }: { keys: readonly { name: string; tuning: boolean }[]; render: (name: string) => ReactNode; tuningPrefixes: Path[] }) {
  const { t } = useI18n();
  const { errors } = useDraft();
  const tuning = keys.filter((k) => k.tuning);
  const tuningHasErrors = errors.some((e) => tuningPrefixes.some((p) => startsWith(e.path, p)));
  const [open, setOpen] = useState(false);
  const shown = open || tuningHasErrors;
  return (
    <>
      {keys.filter((k) => !k.tuning).map((k) => render(k.name))}
      {tuning.length > 0 ? (
        <div className="tuning">
          <button type="button" className="link" aria-expanded={shown} onClick={() => setOpen((o) => !o)}>
            {t(S.tuning)}
          </button>
          {shown ? <div className="tuning-fields">{tuning.map((k) => render(k.name))}</div> : null}
        </div>
      ) : null}
    </>
  );
}

export function ParamForm({ def, base, servers, extra }: { def: TypeDef; base: Path; servers: readonly string[]; extra?: ReactNode }) {
  const { t } = useI18n();
  const { draft, update, errors } = useDraft();
  const vis = useVisibility();
  const [tab, setTab] = useState('common');
  const allowed: readonly string[] = def.perServer.allowed;
  const required: readonly string[] = def.perServer.required;
  const keys = Object.keys(def.fields).map((name) => ({ name, tuning: hintOf(def, name)?.tab === 'tuning' }));
  const params = (getIn(draft, [...base, 'params']) ?? {}) as Record<string, unknown>;
  const perServer = (getIn(draft, [...base, 'perServer']) ?? {}) as Record<string, Record<string, unknown>>;
  const needsFacts = allowed.some((k) => {
    const d = hintOf(def, k)?.discovery;
    return d === 'eni' || d === 'availabilityZone';
  });
  const enis = useDiscovery(needsFacts ? 'networkInterfaces' : null);
  const instances = useDiscovery(needsFacts ? 'instances' : null);
  const commonValue = (name: string) => params[name] ?? paramDefault(def, name);
  const requiredBadge = t(S.requiredPerServer);
  const tabs = allowed.length > 0 ? ['common', ...servers] : ['common'];
  const active = tabs.includes(tab) ? tab : 'common';
  const tabLabel = (id: string) => (id === 'common' ? t(S.common) : id);
  const withErrors = tabs.filter((id) => {
    const prefix = tabPrefix(base, id);
    return errors.some((e) => startsWith(e.path, prefix) && (vis.showAll || vis.touched.has(e.where)));
  });

  /** What "Set up individually" starts from: the server's own facts from AWS, else the common value. */
  const startIndividual = (server: string): Record<string, unknown> => {
    const address = draft.servers.find((s) => s.name === server)?.address ?? '';
    const facts = serverFacts(enis, instances, address);
    const own: Record<string, unknown> = {};
    for (const key of allowed) {
      const d = hintOf(def, key)?.discovery;
      const suggestion = d === 'eni' ? facts.eniId : d === 'availabilityZone' ? facts.availabilityZone : d === 'privateIp' && address ? address : undefined;
      // A required per-server value is never copied from common: another server's ENI would be valid but wrong.
      const value = suggestion ?? (required.includes(key) ? undefined : params[key]);
      if (value !== undefined) own[key] = value;
    }
    return own;
  };

  const commonPanel = (
    <FieldList
      keys={keys}
      tuningPrefixes={keys.filter((k) => k.tuning).map((k) => [...base, 'params', k.name])}
      render={(name) => (
        <ParamField
          key={name}
          def={def}
          name={name}
          path={[...base, 'params', name]}
          shown={commonValue(name)}
          badge={required.includes(name) ? requiredBadge : undefined}
        />
      )}
    />
  );

  const serverPanel = (server: string) => {
    const own = perServer[server];
    const individual = own !== undefined;
    return (
      <div className="per-server">
        <CheckboxField
          label={t(S.setUpIndividually)}
          help={t(S.perServerHelp(server))}
          checked={individual}
          onChange={(on) =>
            update((d) => {
              const ps = getIn(d, [...base, 'perServer']) as Record<string, Record<string, unknown>>;
              if (on) ps[server] = startIndividual(server);
              else delete ps[server];
            })
          }
        />
        <FieldList
          keys={keys.filter((k) => allowed.includes(k.name))}
          tuningPrefixes={keys.filter((k) => k.tuning).map((k) => [...base, 'perServer', server, k.name])}
          render={(name) => (
            <ParamField
              key={`${server}:${name}`}
              def={def}
              name={name}
              server={server}
              path={[...base, 'perServer', server, name]}
              shown={individual ? own[name] : required.includes(name) ? undefined : commonValue(name)}
              disabled={!individual}
              badge={required.includes(name) ? requiredBadge : undefined}
            />
          )}
        />
      </div>
    );
  };

  const placed = (p: readonly (string | number)[]) =>
    (p[base.length] === 'params' && p.length === base.length + 2) || (p[base.length] === 'perServer' && p.length === base.length + 3);
  return (
    <div className="param-form">
      {tabs.length > 1 ? (
        <Tabs
          label={t(S.pageDetails)}
          active={active}
          onChange={setTab}
          tabs={tabs.map((id) => ({ id, label: tabLabel(id), marker: withErrors.includes(id) ? t(S.errorsOnTab(tabLabel(id))) : undefined }))}
        >
          {withErrors
            .filter((id) => id !== active)
            .map((id) => (
              <p key={id} className="tab-errors" role="status">
                {t(S.errorsOnTab(tabLabel(id)))}{' '}
                <button type="button" className="link" onClick={() => setTab(id)}>
                  {t(S.showTab(tabLabel(id)))}
                </button>
              </p>
            ))}
          {active === 'common' ? (
            <>
              {commonPanel}
              {extra}
            </>
          ) : (
            serverPanel(active)
          )}
        </Tabs>
      ) : (
        <>
          {commonPanel}
          {extra}
        </>
      )}
      <PageErrors scope={(p) => startsWith(p, [...base, 'params']) || startsWith(p, [...base, 'perServer'])} placed={placed} />
    </div>
  );
}

function tabPrefix(base: Path, tab: string): Path {
  return tab === 'common' ? [...base, 'params'] : [...base, 'perServer', tab];
}
