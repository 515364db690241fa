/**
 * Running operations: every operation is described once (`OpSpec`: what it acts on, its dialog's title, the
 * question naming what will happen, an optional choice of server, and the request it sends). A button asks
 * first in a dialog; OK sends the request and the object shows it running until the agent answers (it answers
 * when the cluster has done it); the outcome, or the refusal with its reason, is listed under "Operations".
 *
 * Without the operate role every button is disabled (the agent refuses anyway); so it is while disconnected.
 */
import { createContext, useCallback, useContext, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { MethodParams, Msg } from '@kumo/shared';
import { ConfirmDialog } from '../../components/dialog';
import { SelectField } from '../../components/form';
import { useAgent } from '../../lib/agent-context';
import { errorText } from '../../lib/i18n/error-text';
import { useI18n } from '../../lib/i18n/i18n-context';
import { S } from '../../lib/i18n/strings';
import { O } from './strings';

export type OpMethod =
  | 'cluster.start'
  | 'cluster.stop'
  | 'cluster.suspend'
  | 'cluster.resume'
  | 'group.start'
  | 'group.stop'
  | 'group.move'
  | 'resource.start'
  | 'resource.stop'
  | 'monitor.suspend'
  | 'monitor.resume'
  | 'monitor.dummyFailure'
  | 'md.recover'
  | 'md.force'
  | 'md.break';

/** One request of an operation, method and params correlated. */
export type OpCall = { [M in OpMethod]: { readonly method: M; readonly params: MethodParams<M> } }[OpMethod];

export interface OpChoice {
  readonly label: Msg;
  readonly options: readonly { readonly value: string; readonly label: Msg | string }[];
  readonly initial: string;
}

export interface OpSpec {
  /** What it acts on ("group:failover1"): one operation at a time per object. */
  readonly key: string;
  /** The operation with its object ("Move failover1"): the button's name and the result's. */
  readonly name: Msg;
  readonly title: Msg;
  /** What will happen, for the chosen value ('' when there is no choice). */
  readonly question: (choice: string) => Msg;
  readonly choice?: OpChoice;
  readonly call: (choice: string) => OpCall;
}

export interface OpResult {
  readonly id: number;
  readonly name: Msg;
  readonly outcome: 'running' | 'ok' | 'error';
  readonly error?: unknown;
}

interface OpsValue {
  readonly canOperate: boolean;
  readonly reason: Msg | null;
  readonly busy: (key: string) => boolean;
  /** The operation running on an object, if any. */
  readonly runningOn: (key: string) => Msg | null;
  readonly ask: (spec: OpSpec) => void;
  readonly results: readonly OpResult[];
  readonly dismiss: (id: number) => void;
}

const OpsContext = createContext<OpsValue | null>(null);

export function useOperations(): OpsValue {
  const v = useContext(OpsContext);
  if (!v) throw new Error('useOperations outside OperationsProvider');
  return v;
}

/** Keeps the last results; older ones scroll away. */
const MAX_RESULTS = 6;

export function OperationsProvider(props: { readonly canOperate: boolean; readonly reason: Msg | null; readonly children: ReactNode }) {
  const { client } = useAgent();
  const { t } = useI18n();
  const [asking, setAsking] = useState<{ spec: OpSpec; choice: string } | null>(null);
  const [running, setRunning] = useState<ReadonlyMap<string, { id: number; name: Msg }>>(new Map());
  const [results, setResults] = useState<readonly OpResult[]>([]);
  const seq = useRef(0);

  const run = useCallback(
    (spec: OpSpec, choice: string) => {
      const id = ++seq.current;
      const call = spec.call(choice);
      setRunning((r) => new Map(r).set(spec.key, { id, name: spec.name }));
      setResults((rs) => [{ id, name: spec.name, outcome: 'running' as const }, ...rs].slice(0, MAX_RESULTS));
      const settle = (outcome: 'ok' | 'error', error?: unknown) => {
        setRunning((r) => {
          if (r.get(spec.key)?.id !== id) return r;
          const next = new Map(r);
          next.delete(spec.key);
          return next;
        });
        setResults((rs) => rs.map((x) => (x.id === id ? { id, name: spec.name, outcome, ...(error === undefined ? {} : { error }) } : x)));
      };
      client.request(call.method, call.params).then(
        () => settle('ok'),
        (e: unknown) => settle('error', e),
      );
    },
    [client],
  );

  const value = useMemo<OpsValue>(
    () => ({
      canOperate: props.canOperate,
      reason: props.reason,
      busy: (key) => running.has(key),
      runningOn: (key) => running.get(key)?.name ?? null,
      ask: (spec) => setAsking({ spec, choice: spec.choice?.initial ?? '' }),
      results,
      dismiss: (id) => setResults((rs) => rs.filter((r) => r.id !== id)),
    }),
    [props.canOperate, props.reason, running, results],
  );

  return (
    <OpsContext.Provider value={value}>
      {props.children}
      {asking ? (
        <ConfirmDialog
          title={t(asking.spec.title)}
          message={t(asking.spec.question(asking.choice))}
          okLabel={t(S.ok)}
          cancelLabel={t(S.cancel)}
          okDisabled={!props.canOperate || (asking.spec.choice !== undefined && asking.choice === '' && !asking.spec.choice.options.some((o) => o.value === ''))}
          onOk={() => {
            setAsking(null);
            run(asking.spec, asking.choice);
          }}
          onCancel={() => setAsking(null)}
        >
          {asking.spec.choice ? (
            <SelectField
              label={t(asking.spec.choice.label)}
              value={asking.choice}
              options={asking.spec.choice.options.map((o) => ({ value: o.value, label: typeof o.label === 'string' ? o.label : t(o.label) }))}
              onChange={(choice) => setAsking({ spec: asking.spec, choice })}
            />
          ) : null}
        </ConfirmDialog>
      ) : null}
    </OpsContext.Provider>
  );
}

/** A button that asks, then runs the operation; named by the operation and its object ("Move failover1"). */
export function OpButton(props: { readonly spec: OpSpec; readonly verb: Msg; readonly disabled?: boolean; readonly danger?: boolean }) {
  const { t } = useI18n();
  const ops = useOperations();
  const busy = ops.busy(props.spec.key);
  return (
    <button
      type="button"
      className={`op${props.danger ? ' op-danger' : ''}`}
      aria-label={t(props.spec.name)}
      title={ops.reason ? t(ops.reason) : undefined}
      disabled={!ops.canOperate || busy || props.disabled}
      onClick={() => ops.ask(props.spec)}
    >
      {t(props.verb)}
    </button>
  );
}

/** "running…" beside an object while one of its operations runs. */
export function RunningMark({ opKey }: { readonly opKey: string }) {
  const { t } = useI18n();
  const name = useOperations().runningOn(opKey);
  if (!name) return null;
  return (
    <span className="running">
      <span className="spinner" aria-hidden="true" />
      {t(O.running(name))}
    </span>
  );
}

/** The outcomes: running, done, or refused with the agent's reason in the chosen language. */
export function OperationResults() {
  const { t, lang } = useI18n();
  const ops = useOperations();
  if (ops.results.length === 0) return null;
  return (
    <section className="op-results" aria-label={t(O.results)}>
      {ops.results.map((r) => {
        if (r.outcome === 'error') {
          const e = errorText(r.error, lang);
          return (
            <div key={r.id} role="alert" className="notice notice-error op-result">
              <p>
                <strong>{t(O.failed(r.name))}</strong> {e.sentence}
              </p>
              {e.detail ? (
                <p className="detail">
                  {t(O.agentSaid)} {e.detail} <code>{e.code}</code>
                </p>
              ) : (
                <p className="detail">
                  <code>{e.code}</code>
                </p>
              )}
              <button type="button" className="link" onClick={() => ops.dismiss(r.id)}>
                {t(O.dismiss)}
              </button>
            </div>
          );
        }
        return (
          <div key={r.id} role="status" className={`notice op-result ${r.outcome === 'ok' ? 'notice-ok' : 'notice-info'}`}>
            <p>
              {r.outcome === 'running' ? <span className="spinner" aria-hidden="true" /> : null}
              {t(r.outcome === 'ok' ? O.succeeded(r.name) : O.running(r.name))}
            </p>
            {r.outcome === 'ok' ? (
              <button type="button" className="link" onClick={() => ops.dismiss(r.id)}>
                {t(O.dismiss)}
              </button>
            ) : null}
          </div>
        );
      })}
    </section>
  );
}
