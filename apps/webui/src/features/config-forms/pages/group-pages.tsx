/** Pages of a group: "Group Definition", "Startup Servers" and "Group Attributes". */
import { CheckboxField, RadioGroup, SelectField } from '../../../components/form';
import { useI18n } from '../../../lib/i18n/i18n-context';
import { S } from '../../../lib/i18n/strings';
import { BoundText } from '../bound-fields';
import { moveItem } from '../draft';
import { PageErrors, useDraft } from '../draft-context';
import { under } from '../scope';
import type { Scope } from '../scope';

export const groupDefinitionScope = (gi: number): Scope => under(['groups', gi, 'name'], ['groups', gi, 'comment'], ['groups', gi, 'type']);
export const startupServersScope = (gi: number): Scope => under(['groups', gi, 'startupServers']);
export const groupAttributesScope = (gi: number): Scope => under(['groups', gi, 'attributes']);

export function GroupDefinitionPage({ gi }: { gi: number }) {
  const { t } = useI18n();
  return (
    <div className="form-grid">
      <SelectField label={t(S.groupType)} value="failover" options={[{ value: 'failover', label: t(S.groupTypeFailover) }]} disabled onChange={() => undefined} />
      <BoundText path={['groups', gi, 'name']} label={t(S.groupName)} placeholder="failover1" />
      <BoundText path={['groups', gi, 'comment']} label={t(S.comment)} />
    </div>
  );
}

export function StartupServersPage({ gi }: { gi: number }) {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const group = draft.groups[gi];
  if (!group) return null;
  const all = group.startupServers.length === 0;
  const chosen = group.startupServers;
  const available = draft.servers.map((s) => s.name).filter((s) => !chosen.includes(s));
  const edit = (fn: (list: string[]) => void) =>
    update((d) => {
      const g = d.groups[gi];
      if (g) fn(g.startupServers);
    });
  return (
    <div>
      <CheckboxField
        label={t(S.allServersFailover)}
        checked={all}
        onChange={(on) =>
          update((d) => {
            const g = d.groups[gi];
            if (g) g.startupServers = on ? [] : d.servers.map((s) => s.name);
          })
        }
      />
      {all ? null : (
        <div className="two-lists">
          <section aria-label={t(S.serversThatCanRun)}>
            <h3 className="list-title">{t(S.serversThatCanRun)}</h3>
            <p className="field-help">{t(S.startupServersHelp)}</p>
            <ol className="order-list">
              {chosen.map((s, i) => (
                <li key={s}>
                  <span className="order-name">
                    {i}. {s}
                  </span>
                  <button type="button" className="icon" disabled={i === 0} onClick={() => edit((l) => moveItem(l, i, -1))}>
                    <span aria-hidden="true">↑</span>
                    <span className="sr-only">{t(S.moveUp(s))}</span>
                  </button>
                  <button type="button" className="icon" disabled={i === chosen.length - 1} onClick={() => edit((l) => moveItem(l, i, 1))}>
                    <span aria-hidden="true">↓</span>
                    <span className="sr-only">{t(S.moveDown(s))}</span>
                  </button>
                  <button type="button" className="danger-link" disabled={chosen.length === 1} onClick={() => edit((l) => void l.splice(i, 1))}>
                    {t(S.removeNamed(s))}
                  </button>
                </li>
              ))}
            </ol>
          </section>
          <section aria-label={t(S.availableServers)}>
            <h3 className="list-title">{t(S.availableServers)}</h3>
            <ul className="order-list">
              {available.map((s) => (
                <li key={s}>
                  <span className="order-name">{s}</span>
                  <button type="button" onClick={() => edit((l) => void l.push(s))}>
                    {t(S.addNamed(s))}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        </div>
      )}
      <PageErrors scope={startupServersScope(gi)} placed={() => false} />
    </div>
  );
}

export function GroupAttributesPage({ gi }: { gi: number }) {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const group = draft.groups[gi];
  if (!group) return null;
  const a = group.attributes;
  const set = (fn: (attrs: typeof a) => void) =>
    update((d) => {
      const g = d.groups[gi];
      if (g) fn(g.attributes);
    });
  return (
    <div className="form-grid">
      <RadioGroup
        legend={t(S.startupAttribute)}
        value={a.startup}
        options={[
          { value: 'auto', label: t(S.autoStartup) },
          { value: 'manual', label: t(S.manualStartup) },
        ]}
        onChange={(v) => set((x) => void (x.startup = v))}
      />
      <RadioGroup
        legend={t(S.failoverAttribute)}
        value={a.failover}
        options={[
          { value: 'auto', label: t(S.autoFailover) },
          { value: 'manual', label: t(S.manualFailover) },
        ]}
        onChange={(v) => set((x) => void (x.failover = v))}
      />
      <RadioGroup
        legend={t(S.failbackAttribute)}
        value={a.failback}
        options={[
          { value: 'auto', label: t(S.autoFailback) },
          { value: 'manual', label: t(S.manualFailback) },
        ]}
        onChange={(v) => set((x) => void (x.failback = v))}
      />
    </div>
  );
}
