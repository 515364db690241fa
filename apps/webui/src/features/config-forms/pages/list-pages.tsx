/**
 * The wizard's list pages: "Group List", "Group Resource List" and "Monitor Resource List". "Add" puts a new item
 * with CLUSTERPRO's default name into the draft and opens its definition; the monitor list shows the monitors a
 * resource added automatically, and with which resource.
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import { MONITOR_TYPES, RESOURCE_TYPE_IDS, RESOURCE_TYPES, resourceDependencies } from '@kumo/shared';
import type { MonitorConfig } from '@kumo/shared';
import { ConfirmDialog } from '../../../components/dialog';
import { useI18n } from '../../../lib/i18n/i18n-context';
import { S } from '../../../lib/i18n/strings';
import { autoMonitorOwner, defaultMonitorType, monitorsWatching, newGroup, newMonitor, newResource, removeGroup, removeResource } from '../draft';
import type { Draft } from '../draft';
import { useDraft } from '../draft-context';
import { FailoverTime } from '../failover-time';
import { useWizardStack } from '../wizard-stack';

interface PendingRemove {
  readonly message: string;
  readonly run: (d: Draft) => void;
}

function useRemoval() {
  const { t } = useI18n();
  const { update } = useDraft();
  const [pending, setPending] = useState<PendingRemove | null>(null);
  const dialog = pending ? (
    <ConfirmDialog
      title={t(S.removeTitle)}
      message={pending.message}
      okLabel={t(S.ok)}
      cancelLabel={t(S.cancel)}
      onOk={() => {
        update(pending.run);
        setPending(null);
      }}
      onCancel={() => setPending(null)}
    />
  ) : null;
  return { ask: setPending, dialog };
}

interface Item {
  readonly name: string;
  readonly tag?: string | undefined;
  readonly cells: readonly ReactNode[];
  readonly onProperties: () => void;
  readonly onRemove: () => void;
}

/** Rows with "Properties of x" and "Remove x", the "Add" button, and the removal's confirmation. */
function ItemList({ empty, items, onAdd, after }: { empty: string; items: readonly Item[]; onAdd: () => void; after?: ReactNode }) {
  const { t } = useI18n();
  return (
    <div>
      <div className="list">
        {items.length === 0 ? <p className="muted">{empty}</p> : null}
        {items.map((item, i) => (
          <div key={`${i}:${item.name}`} role="group" aria-label={item.name} className="list-row">
            <div className="cell cell-name">
              <strong>{item.name}</strong>
              {item.tag ? <span className="tag">{item.tag}</span> : null}
            </div>
            {item.cells.map((c, j) => (
              <div key={j} className={j === 0 ? 'cell' : 'cell muted'}>
                {c}
              </div>
            ))}
            <div className="cell cell-actions">
              <button type="button" onClick={item.onProperties}>
                {t(S.propertiesOf(item.name))}
              </button>
              <button type="button" className="danger-link" onClick={item.onRemove}>
                {t(S.removeNamed(item.name))}
              </button>
            </div>
          </div>
        ))}
      </div>
      <div className="list-actions">
        <button type="button" onClick={onAdd}>
          {t(S.add)}
        </button>
      </div>
      {after}
    </div>
  );
}

export function GroupListPage() {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const { open } = useWizardStack();
  const removal = useRemoval();
  return (
    <ItemList
      empty={t(S.noGroups)}
      items={draft.groups.map((g, gi) => ({
        name: g.name,
        cells: [t(S.groupTypeFailover), g.resources.map((r) => r.name).join(', ') || t(S.none)],
        onProperties: () => open({ kind: 'group', gi, isNew: false }, draft),
        onRemove: () => removal.ask({ message: t(S.removeConfirm(g.name)), run: (d) => removeGroup(d, gi) }),
      }))}
      onAdd={() => {
        const gi = draft.groups.length;
        update((d) => void d.groups.push(newGroup(d)));
        open({ kind: 'group', gi, isNew: true }, draft);
      }}
      after={removal.dialog}
    />
  );
}

export function GroupResourceListPage({ gi }: { gi: number }) {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const { open } = useWizardStack();
  const removal = useRemoval();
  const group = draft.groups[gi];
  if (!group) return null;
  return (
    <ItemList
      empty={t(S.noResources)}
      items={group.resources.map((r, ri) => ({
        name: r.name,
        cells: [t(RESOURCE_TYPES[r.type].label), `${t(S.dependsOn)}: ${resourceDependencies(group, r).join(', ') || t(S.none)}`],
        onProperties: () => open({ kind: 'resource', gi, ri, isNew: false }, draft),
        onRemove: () =>
          removal.ask({
            message: t(S.removeResourceConfirm(r.name, monitorsWatching(draft, r.name).map((m) => m.name).join(', '))),
            run: (d) => removeResource(d, gi, ri),
          }),
      }))}
      onAdd={() => {
        const ri = group.resources.length;
        update((d) => void d.groups[gi]?.resources.push(newResource(d, RESOURCE_TYPE_IDS[0] ?? 'awsvip')));
        open({ kind: 'resource', gi, ri, isNew: true }, draft);
      }}
      after={removal.dialog}
    />
  );
}

function monitorWatches(m: MonitorConfig): string | undefined {
  const def = MONITOR_TYPES[m.type];
  if (m.common.target) return m.common.target;
  if (def.resourceParam) {
    const v = m.params[def.resourceParam.name];
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

export function MonitorListPage() {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const { open } = useWizardStack();
  const removal = useRemoval();
  return (
    <ItemList
      empty={t(S.noMonitors)}
      items={draft.monitors.map((m, mi) => {
        const owner = autoMonitorOwner(draft, m);
        return {
          name: m.name,
          tag: owner ? t(S.addedAutomatically(owner)) : undefined,
          cells: [t(MONITOR_TYPES[m.type].label), `${t(S.monitorTarget)}: ${monitorWatches(m) ?? t(S.none)}`],
          onProperties: () => open({ kind: 'monitor', mi, isNew: false }, draft),
          onRemove: () => removal.ask({ message: t(S.removeConfirm(m.name)), run: (d) => void d.monitors.splice(mi, 1) }),
        };
      })}
      onAdd={() => {
        const mi = draft.monitors.length;
        update((d) => void d.monitors.push(newMonitor(d, defaultMonitorType())));
        open({ kind: 'monitor', mi, isNew: true }, draft);
      }}
      after={
        <>
          <FailoverTime allMonitors />
          {removal.dialog}
        </>
      }
    />
  );
}
