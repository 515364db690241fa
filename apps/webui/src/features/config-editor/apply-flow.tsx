/**
 * "Apply the configuration", as the guide describes it: a confirmation "Apply the configuration?" (「設定を反映
 * しますか。」) with the AWS preflight run alongside (failures shown with their fix; Apply is still allowed), then
 * "The configuration was applied successfully." (「反映に成功しました。」) with what the change requires, or each
 * server's answer and "nothing was changed".
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { ApplyResult, ConfigError, Msg } from '@kumo/shared';
import { ConfigErrorList } from '../../components/config-error-list';
import { ConfirmDialog, Dialog, MessageDialog } from '../../components/dialog';
import { useAgent } from '../../lib/agent-context';
import { AgentRequestError } from '../../lib/agent-socket';
import { errorText } from '../../lib/i18n/error-text';
import { useI18n } from '../../lib/i18n/i18n-context';
import { S } from '../../lib/i18n/strings';
import { PreflightResults, usePreflight } from '../aws-assist/preflight';
import type { Draft } from '../config-forms/draft';
import { passwordsParam, passwordsValid } from './passwords';
import type { PasswordChanges } from './passwords';

type Phase = { kind: 'confirm' } | { kind: 'applying' } | { kind: 'done'; result: ApplyResult } | { kind: 'failed'; error: unknown };

const REQUIRES: Record<ApplyResult['requires'], Msg> = {
  nothing: S.requiresNothing,
  'suspend-resume': S.requiresSuspendResume,
  'restart-groups': S.requiresRestartGroups,
  'restart-cluster': S.requiresRestartCluster,
};

interface ServerAnswer {
  server: string;
  ok: boolean;
  message: string;
}

function isConfigErrors(v: unknown): v is ConfigError[] {
  return Array.isArray(v) && v.every((e) => typeof e === 'object' && e !== null && 'where' in e && 'message' in e);
}

function serverAnswers(v: unknown): ServerAnswer[] | null {
  if (typeof v !== 'object' || v === null || !('servers' in v)) return null;
  const list: unknown = v.servers;
  if (!Array.isArray(list)) return null;
  return list.flatMap((s: unknown) => {
    if (typeof s !== 'object' || s === null) return [];
    const { server, ok, message } = s as Record<string, unknown>;
    return typeof server === 'string' && typeof ok === 'boolean' ? [{ server, ok, message: typeof message === 'string' ? message : '' }] : [];
  });
}

function ServersTable({ answers }: { answers: readonly ServerAnswer[] }) {
  const { t } = useI18n();
  return (
    <table className="table" aria-label={t(S.serverAnswers)}>
      <thead>
        <tr>
          <th scope="col">{t(S.server)}</th>
          <th scope="col">{t(S.result)}</th>
          <th scope="col">{t(S.message)}</th>
        </tr>
      </thead>
      <tbody>
        {answers.map((a) => (
          <tr key={a.server} className={a.ok ? undefined : 'row-error'}>
            <td>{a.server}</td>
            <td>{a.ok ? t(S.resultOk) : t(S.resultFailed)}</td>
            <td>{a.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Confirm({ draft, onOk, onCancel, passwordsOk }: { draft: Draft; onOk: () => void; onCancel: () => void; passwordsOk: boolean }) {
  const { t } = useI18n();
  const { state } = usePreflight(draft, true);
  return (
    <ConfirmDialog title={t(S.applyConfirmTitle)} message={t(S.applyConfirm)} okLabel={t(S.ok)} cancelLabel={t(S.cancel)} onOk={onOk} onCancel={onCancel} okDisabled={!passwordsOk}>
      {!passwordsOk ? (
        <p role="alert" className="notice notice-error">
          {t(S.passwordsDiffer)}
        </p>
      ) : null}
      <h3 className="sub-title">{t(S.preflight)}</h3>
      <PreflightResults state={state} />
    </ConfirmDialog>
  );
}

export function ApplyFlow(props: {
  draft: Draft;
  errors: readonly ConfigError[];
  passwords: PasswordChanges;
  onApplied: (result: ApplyResult) => void;
  onClose: () => void;
}) {
  const { t, lang } = useI18n();
  const { client } = useAgent();
  const [phase, setPhase] = useState<Phase>({ kind: 'confirm' });

  const message = (children: ReactNode) => (
    <MessageDialog title={t(S.applyConfirmTitle)} okLabel={t(S.ok)} onClose={props.onClose}>
      {children}
    </MessageDialog>
  );

  if (props.errors.length > 0) {
    return message(
      <>
        <p className="notice notice-error">{t(S.applyInvalid(props.errors.length))}</p>
        <ConfigErrorList errors={props.errors} limit={30} />
      </>,
    );
  }

  const apply = () => {
    setPhase({ kind: 'applying' });
    const passwords = passwordsParam(props.passwords);
    client.request('config.apply', passwords ? { config: props.draft, passwords } : { config: props.draft }).then(
      (result) => {
        setPhase({ kind: 'done', result });
        props.onApplied(result);
      },
      (error: unknown) => setPhase({ kind: 'failed', error }),
    );
  };

  switch (phase.kind) {
    case 'confirm':
      return <Confirm draft={props.draft} onOk={apply} onCancel={props.onClose} passwordsOk={passwordsValid(props.passwords)} />;
    case 'applying':
      return (
        <Dialog title={t(S.applyConfirmTitle)} role="alertdialog">
          <p role="status">{t(S.applying)}</p>
        </Dialog>
      );
    case 'done': {
      const r = phase.result;
      return message(
        <>
          <p className="dialog-message" role="status">
            {r.outcome === 'unchanged' ? t(S.applyUnchanged) : t(S.applySuccess)}
          </p>
          <p>{t(REQUIRES[r.requires])}</p>
          <p className="muted">{t(S.versionApplied(r.version))}</p>
          <ServersTable answers={r.servers} />
        </>,
      );
    }
    case 'failed': {
      const e = errorText(phase.error, lang);
      const details = phase.error instanceof AgentRequestError ? phase.error.details : undefined;
      const answers = serverAnswers(details);
      // Only the agent can say nothing changed; a lost connection leaves the outcome unknown.
      const agentAnswered = phase.error instanceof AgentRequestError && phase.error.code.startsWith('KUMO_E_');
      return message(
        <>
          <div role="alert">
            <p className="dialog-message">{t(S.applyFailed)}</p>
            <p>
              {e.sentence}
              {e.detail ? <span className="detail"> ({e.detail})</span> : null}
            </p>
            {agentAnswered ? <p>{t(S.nothingChanged)}</p> : null}
          </div>
          {isConfigErrors(details) ? <ConfigErrorList errors={details} /> : null}
          {answers ? <ServersTable answers={answers} /> : null}
        </>,
      );
    }
    default: {
      const check: never = phase;
      return check;
    }
  }
}
