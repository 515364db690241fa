/**
 * The Cluster WebUI: the shell (toolbar with the cluster name, the mode switch, the language switch, the server
 * the page talks to and the login) around operation mode and config mode. It loads `session.info`, `config.get`
 * and `status.get` on every (re)connection — which may be to another server of the cluster when the page's own
 * died — follows `status` and `session` events, and keeps the edited configuration here, so that switching modes
 * never loses it. Leaving the wizard asks first.
 *
 * Access: when nothing may be seen without a password (both passwords set) the login page replaces the modes;
 * a reference user may log in from the toolbar; an expired session (the agent's `session` event, or a token
 * refused on reconnect) says so and asks again.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ApplyResult, ClusterStatus, ConfigDoc, Lang } from '@kumo/shared';
import { AgentProvider } from '../lib/agent-context';
import type { SessionInfo } from '../lib/agent-context';
import type { AgentClient, ConnectionState } from '../lib/agent-socket';
import { I18nProvider, useI18n } from '../lib/i18n/i18n-context';
import { AgentRequestError } from '../lib/agent-socket';
import { errorText } from '../lib/i18n/error-text';
import { S } from '../lib/i18n/strings';
import { ConfirmDialog } from '../components/dialog';
import { DiscoveryProvider } from '../features/aws-assist/discovery';
import { draftFromConfig } from '../features/config-forms/draft';
import type { Draft } from '../features/config-forms/draft';
import { KEEP_PASSWORDS } from '../features/config-editor/passwords';
import type { PasswordChanges } from '../features/config-editor/passwords';
import { LoginDialog, LoginPage } from '../features/login/login-page';
import { L } from '../features/login/strings';
import { Dashboard } from '../features/operation/dashboard';
import { ConfigMode } from './config-mode';
import { Toolbar } from './toolbar';

export type Mode = 'operation' | 'config';

/** The login state the shell shows and changes. */
interface Access {
  readonly loggedIn: boolean;
  readonly expired: boolean;
  readonly loggedOut: boolean;
  readonly onLoggedIn: () => void;
  readonly logout: () => void;
}

const codeOf = (e: unknown) => (e instanceof AgentRequestError ? e.code : null);

export function App({ client, pageHost = window.location.hostname, initialLang }: { client: AgentClient; pageHost?: string; initialLang?: Lang }) {
  const [connection, setConnection] = useState<ConnectionState>(client.state);
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [configError, setConfigError] = useState<unknown>(null);
  const [runningDoc, setRunningDoc] = useState<ConfigDoc | null>(null);
  const [status, setStatus] = useState<ClusterStatus | null>(null);
  const [statusError, setStatusError] = useState<unknown>(null);

  const load = useCallback(() => {
    client.request('session.info', {}).then(
      (s) => {
        setSession(s);
        setLoadError(null);
      },
      (e: unknown) => setLoadError(e),
    );
    client.request('config.get', {}).then(
      (doc) => {
        setRunningDoc(doc);
        setConfigError(null);
      },
      (e: unknown) => setConfigError(e),
    );
    client.request('status.get', {}).then(
      (s) => {
        setStatus(s);
        setStatusError(null);
      },
      (e: unknown) => setStatusError(e),
    );
  }, [client]);

  const [loggedIn, setLoggedIn] = useState(client.loggedIn);
  const [expired, setExpired] = useState(false);
  const [loggedOut, setLoggedOut] = useState(false);

  const everOpen = useRef(client.state === 'open');
  useEffect(() => {
    load();
    const offState = client.onStateChange((s) => {
      setConnection(s);
      if (s === 'open') {
        if (everOpen.current) load();
        everOpen.current = true;
      }
    });
    // The socket may have opened between the first render and this subscription: that change was not heard.
    setConnection(client.state);
    if (client.state === 'open') everOpen.current = true;
    const offStatus = client.subscribe('status', (s) => {
      setStatus(s);
      setStatusError(null);
    });
    const offSession = client.subscribe('session', (e) => {
      setLoggedIn(client.loggedIn);
      if (e.reason === 'expired') {
        setExpired(true);
        // What this connection may read changed: read it all again (or fail and show the login page).
        load();
      } else client.request('session.info', {}).then(setSession, () => undefined);
    });
    return () => {
      offState();
      offStatus();
      offSession();
    };
  }, [client, load]);

  const onLoggedIn = useCallback(() => {
    setLoggedIn(true);
    setExpired(false);
    setLoggedOut(false);
    load();
  }, [load]);
  const logout = useCallback(() => {
    client.request('session.logout', {}).then(
      () => {
        setLoggedIn(false);
        setLoggedOut(true);
        setStatus(null);
        load();
      },
      () => undefined,
    );
  }, [client, load]);

  const running = useMemo(() => (runningDoc?.config ? draftFromConfig(runningDoc.config) : null), [runningDoc]);

  return (
    <I18nProvider clusterLang={running?.cluster.language} {...(initialLang ? { initial: initialLang } : {})}>
      <AgentProvider client={client} session={session} pageHost={pageHost}>
        <DiscoveryProvider>
          <Shell
            connection={connection}
            session={session}
            loadError={loadError ?? configError}
            configUnreadable={configError !== null}
            runningDoc={runningDoc}
            running={running}
            status={status}
            statusError={statusError}
            access={{ loggedIn, expired, loggedOut, onLoggedIn, logout }}
            onApplied={() => {
              client.request('config.get', {}).then(setRunningDoc, (e: unknown) => setConfigError(e));
              client.request('session.info', {}).then(setSession, () => undefined);
            }}
          />
        </DiscoveryProvider>
      </AgentProvider>
    </I18nProvider>
  );
}

function Shell(props: {
  connection: ConnectionState;
  session: SessionInfo | null;
  loadError: unknown;
  /** `config.get` was refused (a password is required, or the address may not read): config mode has nothing to show. */
  configUnreadable: boolean;
  runningDoc: ConfigDoc | null;
  running: Draft | null;
  status: ClusterStatus | null;
  statusError: unknown;
  access: Access;
  onApplied: (result: ApplyResult) => void;
}) {
  const { t, lang } = useI18n();
  const [mode, setMode] = useState<Mode | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [wizard, setWizard] = useState<Draft | null>(null);
  const [passwords, setPasswords] = useState<PasswordChanges>(KEEP_PASSWORDS);
  const [askLeave, setAskLeave] = useState<Mode | null>(null);
  const [loginOpen, setLoginOpen] = useState(false);
  const { running, runningDoc, session, access } = props;
  // The server the page was loaded from; when the page talks to another one, it says so.
  const [origin, setOrigin] = useState<string | null>(null);
  if (origin === null && session) setOrigin(session.server);
  const failedOverFrom = origin !== null && session !== null && session.server !== origin ? origin : null;
  const addressDenied = codeOf(props.loadError) === 'KUMO_E_CLIENT_ADDRESS_DENIED' || codeOf(props.loadError) === 'KUMO_E_ORIGIN_DENIED';
  const needLogin = session !== null && session.role === null && !addressDenied;

  // The first time the running configuration is known it becomes the draft; after our own apply, the applied one
  // does (the agent's copy has every default written out). Someone else's apply never overwrites our edits.
  const [seenDoc, setSeenDoc] = useState<ConfigDoc | null>(null);
  const [appliedHash, setAppliedHash] = useState<string | null>(null);
  if (runningDoc !== seenDoc) {
    setSeenDoc(runningDoc);
    if (running && (draft === null || (appliedHash !== null && runningDoc?.hash === appliedHash))) {
      setDraft(running);
      setAppliedHash(null);
    }
  }
  // Operation mode first when the cluster runs a configuration, config mode (the wizard) when it does not.
  if (mode === null && session !== null && (runningDoc !== null || props.configUnreadable)) setMode(runningDoc?.config || props.configUnreadable ? 'operation' : 'config');

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const dirty = wizard !== null;
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty]);

  const switchMode = (next: Mode) => {
    if (next === mode) return;
    if (wizard !== null && next !== 'config') {
      setAskLeave(next);
      return;
    }
    setMode(next);
  };

  const clusterName = (draft ?? running)?.cluster.name || props.status?.cluster.name || null;
  return (
    <div className="app">
      <Toolbar
        clusterName={clusterName}
        mode={needLogin ? null : mode}
        onMode={switchMode}
        connection={props.connection}
        server={session?.server ?? null}
        role={needLogin ? null : (session?.role ?? null)}
        loggedIn={access.loggedIn}
        canLogIn={!access.loggedIn && session?.passwordRequired === true && session.role === 'reference'}
        onLogin={() => setLoginOpen(true)}
        onLogout={access.logout}
      />
      <main className="content">
        {addressDenied ? (
          <div role="alert" className="notice notice-error refusal">
            <p>
              <strong>{t(L.addressDenied)}</strong>
            </p>
            <p>{errorText(props.loadError, lang).sentence}</p>
          </div>
        ) : props.loadError && !(needLogin && codeOf(props.loadError) === 'KUMO_E_AUTH_REQUIRED') ? (
          <p role="alert" className="notice notice-error">
            {errorText(props.loadError, lang).sentence}
          </p>
        ) : null}
        {needLogin ? (
          <LoginPage clusterName={clusterName} server={session.server} expired={access.expired} loggedOut={access.loggedOut} onLoggedIn={access.onLoggedIn} />
        ) : addressDenied ? null : mode === null ? (
          <p role="status" className="muted">
            {t(S.loading)}
          </p>
        ) : mode === 'operation' ? (
          <>
            {access.expired && session?.role ? (
              <p className="notice notice-warn" role="status">
                {t(L.expired)}
              </p>
            ) : null}
            <Dashboard
              status={props.status}
              statusError={props.statusError}
              runningDoc={runningDoc}
              role={session?.role ?? null}
              connection={props.connection}
              failedOverFrom={failedOverFrom}
              server={session?.server ?? null}
            />
          </>
        ) : props.configUnreadable && draft === null && wizard === null ? null : (
          <ConfigMode
            draft={draft}
            setDraft={setDraft}
            wizard={wizard}
            setWizard={setWizard}
            running={running}
            runningDoc={runningDoc}
            passwords={passwords}
            setPasswords={setPasswords}
            onApplied={(result) => {
              setPasswords(KEEP_PASSWORDS);
              setAppliedHash(result.hash);
              props.onApplied(result);
            }}
          />
        )}
      </main>
      {loginOpen ? (
        <LoginDialog
          onLoggedIn={() => {
            setLoginOpen(false);
            access.onLoggedIn();
          }}
          onCancel={() => setLoginOpen(false)}
        />
      ) : null}
      {askLeave ? (
        <ConfirmDialog
          title={t(S.leaveWizardTitle)}
          message={t(S.leaveWizard)}
          okLabel={t(S.ok)}
          cancelLabel={t(S.cancel)}
          onOk={() => {
            setWizard(null);
            setMode(askLeave);
            setAskLeave(null);
          }}
          onCancel={() => setAskLeave(null)}
        />
      ) : null}
    </div>
  );
}
