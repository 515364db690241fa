/**
 * Logging in (CLUSTERPRO's "Control connection by using password"): one password field; the operation password
 * operates, the reference password only looks. A wrong password is refused with the agent's sentence (the agent
 * answers repeated failures ever more slowly, so the button says it is checking); a refused client address
 * says so. The page shows this when the cluster requires a password; a reference user can open it as a dialog
 * to log in with the operation password.
 */
import { useState } from 'react';
import { Dialog } from '../../components/dialog';
import { TextField } from '../../components/form';
import { useAgent } from '../../lib/agent-context';
import { errorText } from '../../lib/i18n/error-text';
import { useI18n } from '../../lib/i18n/i18n-context';
import { S } from '../../lib/i18n/strings';
import { L } from './strings';

export function LoginForm({ onLoggedIn, onCancel }: { readonly onLoggedIn: () => void; readonly onCancel?: () => void }) {
  const { t, lang } = useI18n();
  const { client } = useAgent();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [failures, setFailures] = useState(0);

  const submit = () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    client.request('session.login', { password }).then(
      () => {
        setBusy(false);
        setPassword('');
        onLoggedIn();
      },
      (e: unknown) => {
        setBusy(false);
        setError(e);
        setFailures((n) => n + 1);
      },
    );
  };

  const e = error ? errorText(error, lang) : null;
  return (
    <form
      className="login-form"
      onSubmit={(ev) => {
        ev.preventDefault();
        submit();
      }}
    >
      <TextField label={t(L.password)} type="password" autoComplete="current-password" value={password} onChange={setPassword} disabled={busy} />
      {e ? (
        <div role="alert" className="notice notice-error">
          <p>
            <strong>{t(L.refused)}</strong> {e.sentence}
          </p>
          {failures > 1 && e.code === 'KUMO_E_AUTH_FAILED' ? <p className="detail">{t(L.slowDown)}</p> : null}
        </div>
      ) : null}
      <div className="login-actions">
        <button type="submit" className="primary" disabled={busy}>
          {t(busy ? L.loggingIn : L.login)}
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel} disabled={busy}>
            {t(S.cancel)}
          </button>
        ) : null}
      </div>
    </form>
  );
}

/** The page shown instead of the modes while nothing may be seen without a password. */
export function LoginPage(props: { readonly clusterName: string | null; readonly server: string | null; readonly expired: boolean; readonly loggedOut: boolean; readonly onLoggedIn: () => void }) {
  const { t } = useI18n();
  return (
    <section className="login-page" aria-labelledby="login-title">
      <h2 id="login-title">{t(L.title)}</h2>
      {props.expired ? (
        <p className="notice notice-warn" role="status">
          {t(L.expired)}
        </p>
      ) : props.loggedOut ? (
        <p className="notice notice-info" role="status">
          {t(L.loggedOut)}
        </p>
      ) : null}
      <p>{t(L.intro(props.clusterName, props.server))}</p>
      <LoginForm onLoggedIn={props.onLoggedIn} />
    </section>
  );
}

/** Logging in from the toolbar (a reference user who knows the operation password). */
export function LoginDialog(props: { readonly onLoggedIn: () => void; readonly onCancel: () => void }) {
  const { t } = useI18n();
  return (
    <Dialog title={t(L.title)} onDismiss={props.onCancel}>
      <LoginForm onLoggedIn={props.onLoggedIn} onCancel={props.onCancel} />
    </Dialog>
  );
}
