/**
 * The toolbar: the cluster name, the mode switch (the guide's dropdown "Operation mode / Config mode"), the
 * display language, the server this page talks to (it changes when the page moves to another server), the
 * access the session has, and logging in and out.
 */
import type { ConnectionState } from '../lib/agent-socket';
import { useI18n } from '../lib/i18n/i18n-context';
import { S } from '../lib/i18n/strings';
import { L } from '../features/login/strings';
import type { Mode } from './app';

export function Toolbar(props: {
  clusterName: string | null;
  mode: Mode | null;
  onMode: (m: Mode) => void;
  connection: ConnectionState;
  server: string | null;
  role: 'operate' | 'reference' | null;
  loggedIn: boolean;
  canLogIn: boolean;
  onLogin: () => void;
  onLogout: () => void;
}) {
  const { t, lang, setLang } = useI18n();
  const conn = props.connection === 'open' ? null : props.connection === 'connecting' ? t(props.server ? S.reconnecting : S.connecting) : t(S.connectionClosed);
  return (
    <header className="toolbar">
      <div className="brand">
        <span className="logo" aria-hidden="true">
          ☁
        </span>
        <span className="product">Kumo {t(S.product)}</span>
        <span className="cluster-name">{props.clusterName ?? t(S.noCluster)}</span>
      </div>
      <div className="toolbar-controls">
        <select aria-label={t(S.mode)} value={props.mode ?? ''} disabled={props.mode === null} onChange={(e) => props.onMode(e.target.value === 'config' ? 'config' : 'operation')}>
          {props.mode === null ? <option value="">{t(S.loading)}</option> : null}
          <option value="operation">{t(S.operationMode)}</option>
          <option value="config">{t(S.configMode)}</option>
        </select>
        <div className="lang-switch" title={t(S.displayLanguage)}>
          <button type="button" aria-pressed={lang === 'en'} onClick={() => setLang('en')}>
            English
          </button>
          <button type="button" aria-pressed={lang === 'ja'} onClick={() => setLang('ja')}>
            日本語
          </button>
        </div>
        <div className="server-info" role="status">
          <span className={`dot ${props.connection}`} aria-hidden="true" />
          {props.server ? (
            <span>
              {t(S.connectedTo)} <strong>{props.server}</strong>
            </span>
          ) : null}
          {conn ? <span className="conn">{conn}</span> : null}
        </div>
        {props.role ? (
          <span className={`role role-${props.role}`}>
            {t(L.access)}: {t(props.role === 'operate' ? L.roleOperate : L.roleReference)}
          </span>
        ) : null}
        {props.canLogIn ? (
          <button type="button" className="toolbar-button" onClick={props.onLogin}>
            {t(L.loginToOperate)}
          </button>
        ) : null}
        {props.loggedIn ? (
          <button type="button" className="toolbar-button" onClick={props.onLogout}>
            {t(L.logout)}
          </button>
        ) : null}
      </div>
    </header>
  );
}
