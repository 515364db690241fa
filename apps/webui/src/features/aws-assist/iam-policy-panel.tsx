/** The least-privilege IAM policy for the draft config (`aws.iamPolicy`), shown and copyable. */
import { useState } from 'react';
import type { Draft } from '../config-forms/draft';
import { useAgent } from '../../lib/agent-context';
import { errorText, isUnavailable } from '../../lib/i18n/error-text';
import { useI18n } from '../../lib/i18n/i18n-context';
import { S } from '../../lib/i18n/strings';

type State = { status: 'idle' } | { status: 'loading' } | { status: 'ready'; text: string } | { status: 'error'; error: unknown };

export function IamPolicyPanel({ draft, valid }: { draft: Draft; valid: boolean }) {
  const { t, lang } = useI18n();
  const { client } = useAgent();
  const [state, setState] = useState<State>({ status: 'idle' });
  const [copied, setCopied] = useState(false);
  const load = () => {
    setState({ status: 'loading' });
    setCopied(false);
    client.request('aws.iamPolicy', { config: draft }).then(
      (r) => setState({ status: 'ready', text: r.text }),
      (error: unknown) => setState({ status: 'error', error }),
    );
  };
  return (
    <section className="panel" aria-label={t(S.iamPolicy)}>
      <h3>{t(S.iamPolicy)}</h3>
      <p className="field-help">{t(S.iamPolicyHelp)}</p>
      {valid ? (
        <button type="button" onClick={load} disabled={state.status === 'loading'}>
          {t(S.iamPolicyShow)}
        </button>
      ) : (
        <p className="muted">{t(S.iamPolicyNeedsValid)}</p>
      )}
      {state.status === 'loading' ? <p role="status">{t(S.loading)}</p> : null}
      {state.status === 'error' ? (
        <p role="alert" className="notice notice-error">
          {isUnavailable(state.error) ? t(S.discoveryUnavailable) : errorText(state.error, lang).sentence}
        </p>
      ) : null}
      {state.status === 'ready' ? (
        <>
          <pre className="code-block" aria-label={t(S.iamPolicy)}>
            {state.text}
          </pre>
          <button
            type="button"
            onClick={() => {
              void navigator.clipboard?.writeText(state.text).then(() => setCopied(true));
            }}
          >
            {copied ? t(S.copied) : t(S.copy)}
          </button>
        </>
      ) : null}
    </section>
  );
}
