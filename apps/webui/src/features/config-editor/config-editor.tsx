/**
 * The config editor (config mode once a configuration exists): the tree of cluster, servers, groups with their
 * resources, and monitors; property dialogs made of the wizard's pages; add, remove and rename (a rename rewrites
 * what names the object); the problems the shared validation finds; the differences from the configuration the
 * cluster runs; export and import; and "Apply the configuration".
 */
import { useMemo, useState } from 'react';
import type { Dispatch, ReactNode, SetStateAction } from 'react';
import { MONITOR_TYPES, pathText, RESOURCE_TYPES, resourceDependencies, validateClusterConfig } from '@kumo/shared';
import type { ApplyResult, ConfigDoc, Msg } from '@kumo/shared';
import { ConfigErrorList } from '../../components/config-error-list';
import { ConfirmDialog, Dialog, FormDialog } from '../../components/dialog';
import { TextField } from '../../components/form';
import { useI18n } from '../../lib/i18n/i18n-context';
import { S } from '../../lib/i18n/strings';
import { IamPolicyPanel } from '../aws-assist/iam-policy-panel';
import { PreflightPanel } from '../aws-assist/preflight';
import { defaultMonitorType, newGroup, newMonitor, newResource, removeGroup, removeResource, renameGroup, renameResource, monitorsWatching } from '../config-forms/draft';
import type { Draft } from '../config-forms/draft';
import { DraftProvider, useDraft } from '../config-forms/draft-context';
import { clusterSettingSteps, defineFrame, finishFrame, groupSettingSteps, monitorSteps, resourceSteps } from '../config-forms/steps';
import { WizardStack } from '../config-forms/wizard-stack';
import type { Frame, StepDef } from '../config-forms/wizard-stack';
import { ApplyFlow } from './apply-flow';
import { diffConfigs, showValue } from './config-diff';
import type { Change } from './config-diff';
import { exportConfig, ImportButton } from './export-import';
import { PasswordsPage } from './passwords';
import type { PasswordChanges } from './passwords';
import { PropertiesDialog } from './properties-dialog';

type Selection =
  | { kind: 'cluster' }
  | { kind: 'servers' }
  | { kind: 'groups' }
  | { kind: 'group'; name: string }
  | { kind: 'resource'; group: string; name: string }
  | { kind: 'monitors' }
  | { kind: 'monitor'; name: string };

type Open =
  | { kind: 'properties'; of: Selection; snapshot: Draft; passwords: PasswordChanges }
  | { kind: 'wizard'; frame: Frame; snapshot: Draft }
  | { kind: 'rename'; of: Extract<Selection, { kind: 'group' | 'resource' | 'monitor' }> }
  | { kind: 'remove'; message: string; run: (d: Draft) => void; then: Selection }
  | { kind: 'apply' }
  | { kind: 'discard' };

export interface ConfigEditorProps {
  readonly draft: Draft;
  readonly setDraft: Dispatch<SetStateAction<Draft>>;
  /** The configuration the cluster runs, as a draft (null when it runs none yet). */
  readonly running: Draft | null;
  readonly runningDoc: ConfigDoc | null;
  readonly passwords: PasswordChanges;
  readonly setPasswords: (p: PasswordChanges) => void;
  readonly passwordSet: boolean;
  readonly onStartWizard: () => void;
  readonly onApplied: (result: ApplyResult) => void;
  readonly onDiscard: () => void;
}

export function ConfigEditor(props: ConfigEditorProps) {
  return (
    <DraftProvider draft={props.draft} setDraft={props.setDraft}>
      <Editor {...props} />
    </DraftProvider>
  );
}

function indexOf(d: Draft, sel: Selection): { gi?: number; ri?: number; mi?: number } {
  switch (sel.kind) {
    case 'group':
      return { gi: d.groups.findIndex((g) => g.name === sel.name) };
    case 'resource': {
      const gi = d.groups.findIndex((g) => g.name === sel.group);
      return { gi, ri: d.groups[gi]?.resources.findIndex((r) => r.name === sel.name) ?? -1 };
    }
    case 'monitor':
      return { mi: d.monitors.findIndex((m) => m.name === sel.name) };
    default:
      return {};
  }
}

function Editor(props: ConfigEditorProps) {
  const { t } = useI18n();
  const { draft, update, errors, validation } = useDraft();
  const [selected, setSelected] = useState<Selection>({ kind: 'cluster' });
  const [open, setOpen] = useState<Open | null>(null);
  const changes = useMemo(() => diffConfigs(props.running, draft), [props.running, draft]);
  const pendingPasswords = props.passwords.operation.mode !== 'keep' || props.passwords.reference.mode !== 'keep';

  const clusterFrame = () => ({ title: t(S.wizardTitle), what: t(S.wizardTitle), steps: [] });
  const at = indexOf(draft, selected);

  const propertiesSteps = (of: Selection): { title: string; steps: StepDef[]; frame: Frame | null } => {
    const idx = indexOf(draft, of);
    switch (of.kind) {
      case 'cluster':
        return {
          title: t(S.clusterProperties),
          frame: null,
          steps: [
            ...clusterSettingSteps,
            {
              id: 'passwords',
              title: S.passwordsTab,
              scope: () => false,
              render: () => <PasswordsPage value={props.passwords} onChange={props.setPasswords} passwordSet={props.passwordSet} />,
            },
          ],
        };
      case 'servers':
        return { title: t(S.pageBasic), frame: null, steps: clusterSettingSteps.filter((s) => s.id === 'basic') };
      case 'group':
        return { title: t(S.propertiesOf(of.name)), frame: { kind: 'group', gi: idx.gi ?? -1, isNew: false }, steps: groupSettingSteps(idx.gi ?? -1) };
      case 'resource':
        return {
          title: t(S.propertiesOf(of.name)),
          frame: { kind: 'resource', gi: idx.gi ?? -1, ri: idx.ri ?? -1, isNew: false },
          steps: resourceSteps(idx.gi ?? -1, idx.ri ?? -1, false),
        };
      case 'monitor':
        return { title: t(S.propertiesOf(of.name)), frame: { kind: 'monitor', mi: idx.mi ?? -1, isNew: false }, steps: monitorSteps(idx.mi ?? -1, false) };
      case 'groups':
      case 'monitors':
        return { title: '', frame: null, steps: [] };
      default: {
        const check: never = of;
        return check;
      }
    }
  };

  const openProperties = (of: Selection) => setOpen({ kind: 'properties', of, snapshot: draft, passwords: props.passwords });

  const addGroup = () => {
    const gi = draft.groups.length;
    update((d) => void d.groups.push(newGroup(d)));
    setOpen({ kind: 'wizard', frame: { kind: 'group', gi, isNew: true }, snapshot: draft });
  };
  const addResource = (gi: number) => {
    const ri = draft.groups[gi]?.resources.length ?? 0;
    update((d) => void d.groups[gi]?.resources.push(newResource(d, 'awsvip')));
    setOpen({ kind: 'wizard', frame: { kind: 'resource', gi, ri, isNew: true }, snapshot: draft });
  };
  const addMonitor = () => {
    const mi = draft.monitors.length;
    update((d) => void d.monitors.push(newMonitor(d, defaultMonitorType())));
    setOpen({ kind: 'wizard', frame: { kind: 'monitor', mi, isNew: true }, snapshot: draft });
  };

  const dialog = (() => {
    if (!open) return null;
    switch (open.kind) {
      case 'properties': {
        const p = propertiesSteps(open.of);
        return (
          <PropertiesDialog
            title={p.title}
            steps={p.steps}
            onOk={() => {
              const frame = p.frame;
              if (frame) update((d) => finishFrame(frame, d, open.snapshot));
              setOpen(null);
            }}
            onCancel={() => {
              update((d) => Object.assign(d, structuredClone(open.snapshot)));
              props.setPasswords(open.passwords);
              setOpen(null);
            }}
          />
        );
      }
      case 'wizard':
        return (
          <Dialog title={defineFrame(open.frame, t, draft, clusterFrame).title} size="large">
            <WizardStack root={open.frame} rootSnapshot={open.snapshot} define={(f, tt, d) => defineFrame(f, tt, d, clusterFrame)} onClose={() => setOpen(null)} />
          </Dialog>
        );
      case 'rename':
        return (
          <RenameDialog
            of={open.of}
            onDone={(sel) => {
              setOpen(null);
              if (sel) setSelected(sel);
            }}
          />
        );
      case 'remove':
        return (
          <ConfirmDialog
            title={t(S.removeTitle)}
            message={open.message}
            okLabel={t(S.ok)}
            cancelLabel={t(S.cancel)}
            onOk={() => {
              update(open.run);
              setSelected(open.then);
              setOpen(null);
            }}
            onCancel={() => setOpen(null)}
          />
        );
      case 'apply':
        return <ApplyFlow draft={draft} errors={errors} passwords={props.passwords} onApplied={props.onApplied} onClose={() => setOpen(null)} />;
      case 'discard':
        return (
          <ConfirmDialog
            title={t(S.discardChanges)}
            message={t(S.discardChangesConfirm)}
            okLabel={t(S.ok)}
            cancelLabel={t(S.cancel)}
            onOk={() => {
              setOpen(null);
              setSelected({ kind: 'cluster' });
              props.onDiscard();
            }}
            onCancel={() => setOpen(null)}
          />
        );
      default: {
        const check: never = open;
        return check;
      }
    }
  })();

  return (
    <div className="editor">
      <div className="editor-bar" role="toolbar" aria-label={t(S.editorTitle)}>
        <button type="button" onClick={props.onStartWizard}>
          {t(S.startWizard)}
        </button>
        <button type="button" className="primary" onClick={() => setOpen({ kind: 'apply' })}>
          {t(S.applyConfig)}
        </button>
        <button type="button" onClick={() => exportConfig(draft)}>
          {t(S.exportConfig)}
        </button>
        <ImportButton onImport={(d) => props.setDraft(d)} />
        <button type="button" disabled={!props.running || (changes.length === 0 && !pendingPasswords)} onClick={() => setOpen({ kind: 'discard' })}>
          {t(S.discardChanges)}
        </button>
      </div>
      <div className="editor-main">
        <ConfigTree selected={selected} onSelect={setSelected} />
        <section className="editor-detail" aria-label={t(S.summary)}>
          <Detail
            selected={selected}
            onProperties={openProperties}
            onAddGroup={addGroup}
            onAddResource={() => at.gi !== undefined && at.gi >= 0 && addResource(at.gi)}
            onAddMonitor={addMonitor}
            onRename={(of) => setOpen({ kind: 'rename', of })}
            onRemove={(of) => {
              const idx = indexOf(draft, of);
              if (of.kind === 'group' && idx.gi !== undefined) {
                setOpen({ kind: 'remove', message: t(S.removeConfirm(of.name)), run: (d) => removeGroup(d, idx.gi ?? -1), then: { kind: 'groups' } });
              } else if (of.kind === 'resource' && idx.gi !== undefined && idx.ri !== undefined) {
                const watching = monitorsWatching(draft, of.name).map((m) => m.name).join(', ');
                setOpen({
                  kind: 'remove',
                  message: t(S.removeResourceConfirm(of.name, watching)),
                  run: (d) => removeResource(d, idx.gi ?? -1, idx.ri ?? -1),
                  then: { kind: 'group', name: of.group },
                });
              } else if (of.kind === 'monitor' && idx.mi !== undefined) {
                setOpen({ kind: 'remove', message: t(S.removeConfirm(of.name)), run: (d) => void d.monitors.splice(idx.mi ?? -1, 1), then: { kind: 'monitors' } });
              }
            }}
          />
        </section>
        <aside className="editor-side">
          <Problems />
          <Changes changes={changes} running={props.running} runningDoc={props.runningDoc} passwords={props.passwords} />
          <IamPolicyPanel draft={draft} valid={validation.ok} />
          <PreflightPanel draft={draft} valid={validation.ok} />
        </aside>
      </div>
      {dialog}
    </div>
  );
}

function TreeItem({ label, sel, selected, onSelect, children, invalid }: { label: string; sel: Selection; selected: Selection; onSelect: (s: Selection) => void; children?: ReactNode; invalid?: boolean }) {
  const current = JSON.stringify(sel) === JSON.stringify(selected);
  return (
    <li>
      <button type="button" className={`tree-item${current ? ' current' : ''}${invalid ? ' invalid' : ''}`} aria-current={current ? 'true' : undefined} onClick={() => onSelect(sel)}>
        {label}
      </button>
      {children ? <ul>{children}</ul> : null}
    </li>
  );
}

function ConfigTree({ selected, onSelect }: { selected: Selection; onSelect: (s: Selection) => void }) {
  const { t } = useI18n();
  const { draft, errors } = useDraft();
  const invalid = (prefix: readonly (string | number)[]) => errors.some((e) => prefix.every((p, i) => e.path[i] === p));
  const common = { selected, onSelect };
  return (
    <nav className="tree" aria-label={t(S.tree)}>
      <ul>
        <TreeItem {...common} label={draft.cluster.name || t(S.noCluster)} sel={{ kind: 'cluster' }} invalid={invalid(['cluster']) || invalid(['interconnects'])}>
          <TreeItem {...common} label={t(S.servers)} sel={{ kind: 'servers' }} invalid={invalid(['servers'])} />
          <TreeItem {...common} label={t(S.groups)} sel={{ kind: 'groups' }}>
            {draft.groups.map((g, gi) => (
              <TreeItem key={g.name} {...common} label={g.name} sel={{ kind: 'group', name: g.name }} invalid={invalid(['groups', gi])}>
                {g.resources.map((r) => (
                  <TreeItem key={r.name} {...common} label={r.name} sel={{ kind: 'resource', group: g.name, name: r.name }} />
                ))}
              </TreeItem>
            ))}
          </TreeItem>
          <TreeItem {...common} label={t(S.monitors)} sel={{ kind: 'monitors' }}>
            {draft.monitors.map((m, mi) => (
              <TreeItem key={m.name} {...common} label={m.name} sel={{ kind: 'monitor', name: m.name }} invalid={invalid(['monitors', mi])} />
            ))}
          </TreeItem>
        </TreeItem>
      </ul>
    </nav>
  );
}

type Named = Extract<Selection, { kind: 'group' | 'resource' | 'monitor' }>;

function Section({ title, children, actions }: { title: string; children: ReactNode; actions: ReactNode }) {
  return (
    <>
      <h2>{title}</h2>
      {children}
      <div className="detail-actions">{actions}</div>
    </>
  );
}

function Action({ label, onClick, danger }: { label: string; onClick: () => void; danger?: boolean }) {
  return (
    <button type="button" className={danger ? 'danger-link' : undefined} onClick={onClick}>
      {label}
    </button>
  );
}

function Detail(props: {
  selected: Selection;
  onProperties: (s: Selection) => void;
  onAddGroup: () => void;
  onAddResource: () => void;
  onAddMonitor: () => void;
  onRename: (s: Named) => void;
  onRemove: (s: Named) => void;
}) {
  const { t } = useI18n();
  const { draft } = useDraft();
  const sel = props.selected;
  const properties = <Action label={t(S.properties)} onClick={() => props.onProperties(sel)} />;
  const named = (s: Named) => (
    <>
      {properties}
      <Action label={t(S.rename)} onClick={() => props.onRename(s)} />
      <Action label={t(S.remove)} onClick={() => props.onRemove(s)} danger />
    </>
  );
  switch (sel.kind) {
    case 'cluster': {
      const c = draft.cluster;
      const np = c.np.targets.map((x) => (x.kind === 'ping' ? `ping ${x.addresses.join(', ')}` : `${x.kind} ${x.host}:${x.port}${x.ssl ? ' (SSL)' : ''}`));
      return (
        <Section title={c.name || t(S.noCluster)} actions={properties}>
          <Facts
            rows={[
              [t(S.language), c.language === 'ja' ? t(S.langJapanese) : t(S.langEnglish)],
              [t(S.servers), draft.servers.map((s) => `${s.name} (${s.address})`).join(', ')],
              [t(S.heartbeat), `${c.heartbeat.intervalS} / ${c.heartbeat.timeoutS} ${t(S.seconds)}`],
              [t(S.npResolution), np.join('; ') || t(S.none)],
              [t(S.forcedStop), c.forcedStop.enabled ? t(S.yes) : t(S.no)],
            ]}
          />
        </Section>
      );
    }
    case 'servers':
      return (
        <Section title={t(S.servers)} actions={properties}>
          <ol className="plain-list">
            {draft.servers.map((s, i) => (
              <li key={s.name}>
                <strong>{s.name}</strong> {s.address} {i === 0 ? <span className="tag">{t(S.masterServer)}</span> : null} {s.instanceId ? <code>{s.instanceId}</code> : null}
              </li>
            ))}
          </ol>
        </Section>
      );
    case 'groups':
      return (
        <Section title={t(S.groups)} actions={<Action label={t(S.addGroup)} onClick={props.onAddGroup} />}>
          <Facts rows={draft.groups.map((g) => [g.name, g.resources.map((r) => r.name).join(', ') || t(S.none)])} />
        </Section>
      );
    case 'group': {
      const g = draft.groups.find((x) => x.name === sel.name);
      if (!g) return null;
      const a = g.attributes;
      return (
        <Section
          title={g.name}
          actions={
            <>
              {named(sel)}
              <Action label={t(S.addResource)} onClick={props.onAddResource} />
            </>
          }
        >
          <Facts
            rows={[
              [t(S.pageStartupServers), g.startupServers.length > 0 ? g.startupServers.join(' → ') : t(S.allServersFailover)],
              [
                t(S.pageGroupAttributes),
                [
                  a.startup === 'auto' ? t(S.autoStartup) : t(S.manualStartup),
                  a.failover === 'auto' ? t(S.autoFailover) : t(S.manualFailover),
                  a.failback === 'auto' ? t(S.autoFailback) : t(S.manualFailback),
                ].join(', '),
              ],
              [t(S.resources), g.resources.map((r) => r.name).join(', ') || t(S.none)],
            ]}
          />
        </Section>
      );
    }
    case 'resource': {
      const g = draft.groups.find((x) => x.name === sel.group);
      const r = g?.resources.find((x) => x.name === sel.name);
      if (!g || !r) return null;
      const fields = RESOURCE_TYPES[r.type].fields as Readonly<Record<string, { label: Msg } | undefined>>;
      return (
        <Section title={r.name} actions={named(sel)}>
          <Facts
            rows={[
              [t(S.resourceType), t(RESOURCE_TYPES[r.type].label)],
              [t(S.dependsOn), resourceDependencies(g, r).join(', ') || t(S.none)],
              ...Object.entries(r.params).map(([k, v]): [string, string] => [fields[k] ? t(fields[k].label) : k, showValue(v)]),
            ]}
          />
        </Section>
      );
    }
    case 'monitors':
      return (
        <Section title={t(S.monitors)} actions={<Action label={t(S.addMonitor)} onClick={props.onAddMonitor} />}>
          <Facts rows={draft.monitors.map((m) => [m.name, t(MONITOR_TYPES[m.type].label)])} />
        </Section>
      );
    case 'monitor': {
      const m = draft.monitors.find((x) => x.name === sel.name);
      if (!m) return null;
      const target = m.recovery.target;
      return (
        <Section title={m.name} actions={named(sel)}>
          <Facts
            rows={[
              [t(S.monitorType), t(MONITOR_TYPES[m.type].label)],
              [t(S.targetResource), m.common.target ?? t(S.none)],
              [t(S.recoveryTarget), target.kind === 'local-server' ? t(S.localServer) : target.name],
            ]}
          />
        </Section>
      );
    }
    default: {
      const check: never = sel;
      return check;
    }
  }
}

function Facts({ rows }: { rows: readonly (readonly [string, string])[] }) {
  return (
    <dl className="facts">
      {rows.map(([k, v]) => (
        <div key={k} className="fact">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Renames an object in a draft, with what names it; returns the path of its name. */
function renameIn(d: Draft, of: Named, name: string): (string | number)[] {
  const idx = indexOf(d, of);
  switch (of.kind) {
    case 'group':
      renameGroup(d, of.name, name);
      return ['groups', idx.gi ?? -1, 'name'];
    case 'resource':
      renameResource(d, of.name, name);
      return ['groups', idx.gi ?? -1, 'resources', idx.ri ?? -1, 'name'];
    case 'monitor': {
      const m = d.monitors[idx.mi ?? -1];
      if (m) m.name = name;
      return ['monitors', idx.mi ?? -1, 'name'];
    }
    default: {
      const check: never = of;
      return check;
    }
  }
}

function RenameDialog({ of, onDone }: { of: Named; onDone: (sel: Selection | null) => void }) {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const [name, setName] = useState(of.name);
  const [problems, setProblems] = useState<string[]>([]);
  const submit = () => {
    const trial = structuredClone(draft);
    const where = pathText(renameIn(trial, of, name));
    const r = validateClusterConfig(trial);
    const errs = r.ok ? [] : r.errors.filter((e) => e.where === where);
    if (errs.length > 0) {
      setProblems(errs.map((e) => t(e.message)));
      return;
    }
    update((d) => void renameIn(d, of, name));
    onDone(of.kind === 'resource' ? { kind: 'resource', group: of.group, name } : { kind: of.kind, name });
  };
  return (
    <FormDialog title={t(S.renameTitle(of.name))} okLabel={t(S.ok)} cancelLabel={t(S.cancel)} onSubmit={submit} onCancel={() => onDone(null)}>
      <TextField label={t(S.renameTo)} value={name} errors={problems} onChange={setName} />
    </FormDialog>
  );
}

function Problems() {
  const { t } = useI18n();
  const { errors } = useDraft();
  return (
    <section className="panel" aria-label={t(S.problems(errors.length))}>
      <h3>{t(S.problems(errors.length))}</h3>
      {errors.length === 0 ? (
        <p className="notice notice-ok">{t(S.noProblems)}</p>
      ) : (
        <ConfigErrorList errors={errors} />
      )}
    </section>
  );
}

function ChangeLine({ change }: { change: Change }) {
  const { t } = useI18n();
  const path = change.path.map((p) => (typeof p === 'string' ? p : t(p))).join(' › ');
  const kind = change.kind === 'added' ? t(S.diffAdded) : change.kind === 'removed' ? t(S.diffRemoved) : t(S.diffChanged);
  return (
    <li className={`change change-${change.kind}`}>
      <span className="change-kind">{kind}</span> <span className="change-path">{path}</span>
      {change.kind === 'changed' ? (
        <span className="change-values">
          : <del>{showValue(change.before) || t(S.notSet)}</del> → <ins>{showValue(change.after) || t(S.notSet)}</ins>
        </span>
      ) : change.kind === 'added' && change.after !== undefined && typeof change.after !== 'object' ? (
        <span className="change-values">
          : <ins>{showValue(change.after)}</ins>
        </span>
      ) : change.kind === 'removed' && change.before !== undefined && typeof change.before !== 'object' ? (
        <span className="change-values">
          : <del>{showValue(change.before)}</del>
        </span>
      ) : null}
    </li>
  );
}

function Changes({ changes, running, runningDoc, passwords }: { changes: readonly Change[]; running: Draft | null; runningDoc: ConfigDoc | null; passwords: PasswordChanges }) {
  const { t } = useI18n();
  const pending = [
    passwords.operation.mode !== 'keep' ? t(S.passwordPending(t(S.operationPassword))) : null,
    passwords.reference.mode !== 'keep' ? t(S.passwordPending(t(S.referencePassword))) : null,
  ].filter((x): x is string => x !== null);
  return (
    <section className="panel" aria-label={t(S.changes)}>
      <h3>{t(S.changes)}</h3>
      {runningDoc?.version != null ? <p className="muted">{t(S.runningVersion(runningDoc.version, runningDoc.appliedBy ?? '?'))}</p> : null}
      {!running ? <p className="muted">{t(S.newConfigChanges)}</p> : null}
      {running && changes.length === 0 && pending.length === 0 ? <p className="muted">{t(S.noChanges)}</p> : null}
      {changes.length > 0 || pending.length > 0 ? (
        <ul className="change-list">
          {changes.map((c, i) => (
            <ChangeLine key={i} change={c} />
          ))}
          {pending.map((p) => (
            <li key={p} className="change change-changed">
              <span className="change-kind">{t(S.diffChanged)}</span> {p}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
