/**
 * The wizard engine: a stack of sub-wizards ("frames"), as CLUSTERPRO nests them — the cluster generation
 * wizard opens a group's definition, which opens a resource's definition. Only the top frame is on screen, so
 * there is always exactly one "Next", "Back" and "Finish".
 *
 * Pages edit the draft directly, so Back and Next keep what was typed. A frame remembers the draft from before
 * it opened; Cancel asks, then puts that back. Next refuses to leave a page whose own fields have errors (and
 * shows them all); Finish checks every page of the frame.
 */
import { createContext, useContext, useId, useState } from 'react';
import type { ReactNode } from 'react';
import type { Msg } from '@kumo/shared';
import { ConfirmDialog } from '../../components/dialog';
import { useI18n } from '../../lib/i18n/i18n-context';
import { S } from '../../lib/i18n/strings';
import type { Draft } from './draft';
import { ErrorVisibility, useDraft, useVisibility } from './draft-context';
import type { Scope } from './scope';

export type Frame =
  | { readonly kind: 'cluster' }
  | { readonly kind: 'group'; readonly gi: number; readonly isNew: boolean }
  | { readonly kind: 'resource'; readonly gi: number; readonly ri: number; readonly isNew: boolean }
  | { readonly kind: 'monitor'; readonly mi: number; readonly isNew: boolean };

export interface StepDef {
  readonly id: string;
  readonly title: Msg;
  readonly scope: Scope;
  readonly render: () => ReactNode;
}

export interface FrameDef {
  readonly title: string;
  readonly steps: readonly StepDef[];
  /** What to do to the draft when the frame finishes (automatic monitors, renames). */
  readonly finish?: (d: Draft, snapshot: Draft) => void;
  /** Names what Cancel would discard ("awsvip1"). */
  readonly what: string;
}

interface OpenFrame {
  readonly frame: Frame;
  readonly step: number;
  readonly snapshot: Draft;
  /** Show every error of the page at once (the frame was sent back to it by Finish). */
  readonly reveal: boolean;
}

interface StackApi {
  /** Opens a sub-wizard; `snapshot` is the draft before anything was added for it. */
  readonly open: (frame: Frame, snapshot: Draft) => void;
}

const StackContext = createContext<StackApi | null>(null);

export function useWizardStack(): StackApi {
  const v = useContext(StackContext);
  if (!v) throw new Error('useWizardStack outside WizardStack');
  return v;
}

export function WizardStack(props: {
  readonly root: Frame;
  readonly rootSnapshot: Draft;
  readonly define: (frame: Frame, t: (m: Msg) => string, draft: Draft) => FrameDef;
  /** The root frame finished, or was cancelled (the draft is already restored then, unless it is the cluster wizard). */
  readonly onClose: (outcome: 'finished' | 'cancelled') => void;
}) {
  const { t } = useI18n();
  const { draft, update, errors } = useDraft();
  const [stack, setStack] = useState<OpenFrame[]>([{ frame: props.root, step: 0, snapshot: props.rootSnapshot, reveal: false }]);
  /** Set when Next or Finish was refused; the message then counts the page's errors as they are now. */
  const [blocked, setBlocked] = useState<number | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const top = stack[stack.length - 1];
  if (!top) return null;
  const defs = stack.map((o) => props.define(o.frame, t, draft));
  const def = defs[defs.length - 1];
  if (!def) return null;
  const step = def.steps[Math.min(top.step, def.steps.length - 1)];
  if (!step) return null;
  const last = top.step >= def.steps.length - 1;
  const depth = stack.length - 1;

  const setTop = (change: Partial<OpenFrame>) => setStack((s) => [...s.slice(0, -1), { ...(s[s.length - 1] as OpenFrame), ...change }]);
  const errorsOf = (scope: Scope) => errors.filter((e) => scope(e.path)).length;

  const api: StackApi = {
    open: (frame, snapshot) => {
      setBlocked(null);
      setStack((s) => [...s, { frame, step: 0, snapshot, reveal: false }]);
    },
  };

  const close = (outcome: 'finished' | 'cancelled') => {
    setBlocked(null);
    if (outcome === 'finished' && def.finish) {
      const finish = def.finish;
      const snapshot = top.snapshot;
      update((d) => finish(d, snapshot));
    }
    if (outcome === 'cancelled' && !(depth === 0 && top.frame.kind === 'cluster')) {
      const snapshot = top.snapshot;
      update((d) => Object.assign(d, structuredClone(snapshot)));
    }
    if (depth === 0) props.onClose(outcome);
    else setStack((s) => s.slice(0, -1));
  };

  const next = (reveal: () => void) => {
    const n = errorsOf(step.scope);
    if (n > 0) {
      setBlocked(n);
      reveal();
      return;
    }
    setBlocked(null);
    if (!last) {
      setTop({ step: top.step + 1, reveal: false });
      return;
    }
    const failing = def.steps.findIndex((s) => errorsOf(s.scope) > 0);
    if (failing >= 0) {
      setBlocked(errorsOf(def.steps[failing]?.scope ?? (() => false)));
      setTop({ step: failing, reveal: true });
      return;
    }
    close('finished');
  };

  const crumbs = defs.map((d) => d.title);
  return (
    <StackContext.Provider value={api}>
      <div className="wizard">
        <header className="wizard-header">
          <p className="frame-title">
            {crumbs.map((c, i) => (
              <span key={`${i}:${c}`} className={i === crumbs.length - 1 ? 'crumb current' : 'crumb'}>
                {c}
              </span>
            ))}
          </p>
          <ol className="steps" aria-label={t(S.wizardSteps)}>
            {def.steps.map((s, i) => (
              <li key={s.id} aria-current={i === top.step ? 'step' : undefined} className={i < top.step ? 'done' : i === top.step ? 'current' : undefined}>
                {t(s.title)}
              </li>
            ))}
          </ol>
        </header>
        <ErrorVisibility key={`${depth}:${top.step}:${draftKey(top.frame)}`} showAll={top.reveal}>
          <WizardPage title={t(step.title)}>{step.render()}</WizardPage>
          <WizardNav
            first={top.step === 0}
            last={last}
            blocked={blocked !== null && errorsOf(step.scope) > 0 ? errorsOf(step.scope) : null}
            onBack={() => {
              setBlocked(null);
              setTop({ step: top.step - 1, reveal: false });
            }}
            onNext={next}
            onCancel={() => setConfirmCancel(true)}
          />
        </ErrorVisibility>
      </div>
      {confirmCancel ? (
        <ConfirmDialog
          title={depth === 0 && top.frame.kind === 'cluster' ? t(S.leaveWizardTitle) : t(S.discardTitle)}
          message={depth === 0 && top.frame.kind === 'cluster' ? t(S.leaveWizard) : t(S.discardFrame(def.what))}
          okLabel={t(S.ok)}
          cancelLabel={t(S.cancel)}
          onOk={() => {
            setConfirmCancel(false);
            close('cancelled');
          }}
          onCancel={() => setConfirmCancel(false)}
        />
      ) : null}
    </StackContext.Provider>
  );
}

function draftKey(frame: Frame): string {
  switch (frame.kind) {
    case 'cluster':
      return 'c';
    case 'group':
      return `g${frame.gi}`;
    case 'resource':
      return `r${frame.gi}.${frame.ri}`;
    case 'monitor':
      return `m${frame.mi}`;
    default: {
      const check: never = frame;
      return check;
    }
  }
}

function WizardPage({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="wizard-page" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function WizardNav(props: { first: boolean; last: boolean; blocked: number | null; onBack: () => void; onNext: (reveal: () => void) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const { revealAll } = useVisibility();
  return (
    <footer className="wizard-nav">
      {props.blocked !== null ? (
        <p role="alert" className="nav-blocked">
          {t(S.pageHasErrors(props.blocked))}
        </p>
      ) : (
        <span />
      )}
      <div className="nav-buttons">
        <button type="button" onClick={props.onBack} disabled={props.first}>
          {t(S.back)}
        </button>
        <button type="button" className="primary" onClick={() => props.onNext(revealAll)}>
          {props.last ? t(S.finish) : t(S.next)}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t(S.cancel)}
        </button>
      </div>
    </footer>
  );
}
