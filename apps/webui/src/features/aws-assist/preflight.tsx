/**
 * The preflight (`aws.preflight`): checks against AWS what the guide asks to set up by hand (IDs exist, the VIP
 * is outside the VPC CIDR, Source/Dest. Check is off, the /32 routes exist, …). Each failure comes with its fix.
 * Failures do not forbid Apply; they are shown with a warning.
 */
import { useCallback, useEffect, useState } from 'react';
import type { MethodResult } from '@kumo/shared';
import type { Draft } from '../config-forms/draft';
import { useAgent } from '../../lib/agent-context';
import { errorText, isUnavailable } from '../../lib/i18n/error-text';
import { useI18n } from '../../lib/i18n/i18n-context';
import { S } from '../../lib/i18n/strings';

type Check = MethodResult<'aws.preflight'>['checks'][number];
export type PreflightState = { status: 'idle' } | { status: 'running' } | { status: 'done'; checks: Check[] } | { status: 'unavailable' } | { status: 'error'; error: unknown };

export function usePreflight(draft: Draft, auto: boolean) {
  const { client } = useAgent();
  const [state, setState] = useState<PreflightState>({ status: 'idle' });
  const run = useCallback(() => {
    setState({ status: 'running' });
    client.request('aws.preflight', { config: draft }).then(
      (r) => setState({ status: 'done', checks: r.checks }),
      (error: unknown) => setState(isUnavailable(error) ? { status: 'unavailable' } : { status: 'error', error }),
    );
  }, [client, draft]);
  useEffect(() => {
    if (auto) run();
  }, [auto, run]);
  return { state, run };
}

export function PreflightResults({ state }: { state: PreflightState }) {
  const { t, lang } = useI18n();
  switch (state.status) {
    case 'idle':
      return null;
    case 'running':
      return <p role="status">{t(S.preflightRunning)}</p>;
    case 'unavailable':
      return <p className="muted">{t(S.preflightUnavailable)}</p>;
    case 'error':
      return (
        <p role="alert" className="notice notice-error">
          {errorText(state.error, lang).sentence}
        </p>
      );
    case 'done': {
      const failed = state.checks.filter((c) => !c.ok);
      return (
        <div className="preflight">
          {failed.length === 0 ? (
            <p className="notice notice-ok" role="status">
              {t(S.preflightAllOk(state.checks.length))}
            </p>
          ) : (
            <>
              <p className="notice notice-warn" role="alert">
                {t(S.preflightFailures(failed.length))}
              </p>
              <ul className="check-list" aria-label={t(S.preflight)}>
                {failed.map((c) => (
                  <li key={`${c.subject}:${c.check}:${c.message}`}>
                    <strong>{c.subject}</strong>: {c.message}
                    {c.fix ? (
                      <p className="fix">
                        <span className="fix-label">{t(S.preflightFix)}:</span> {c.fix}
                      </p>
                    ) : null}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      );
    }
    default: {
      const check: never = state;
      return check;
    }
  }
}

export function PreflightPanel({ draft, valid }: { draft: Draft; valid: boolean }) {
  const { t } = useI18n();
  const { state, run } = usePreflight(draft, false);
  return (
    <section className="panel" aria-label={t(S.preflight)}>
      <h3>{t(S.preflight)}</h3>
      {valid ? (
        <button type="button" onClick={run} disabled={state.status === 'running'}>
          {t(S.preflightRun)}
        </button>
      ) : (
        <p className="muted">{t(S.iamPolicyNeedsValid)}</p>
      )}
      <PreflightResults state={state} />
    </section>
  );
}
