/**
 * Page "Basic Settings": the servers, in priority order. The server the WebUI was loaded from is listed as the
 * master server; "Add" registers another by its IP address, asking the agent there for its name
 * (`servers.probe`); when it cannot be asked, the reason is shown and the name may be typed.
 */
import { useState } from 'react';
import { IPV4_RE } from '@kumo/shared';
import { FormDialog } from '../../../components/dialog';
import { TextField } from '../../../components/form';
import { useAgent } from '../../../lib/agent-context';
import { errorText } from '../../../lib/i18n/error-text';
import type { ErrorText } from '../../../lib/i18n/error-text';
import { useI18n } from '../../../lib/i18n/i18n-context';
import { S } from '../../../lib/i18n/strings';
import { addServer, moveItem, removeServer, setServerAddress } from '../draft';
import { PageErrors, useDraft, useFieldErrors } from '../draft-context';
import type { Scope } from '../scope';

/** The server list, and each server's name and address (a server without a heartbeat belongs to Interconnect). */
export const serversPageScope: Scope = (p) => p[0] === 'servers' && (p.length === 1 || p[2] === 'name' || p[2] === 'address');

function ServerRow({ index, count }: { index: number; count: number }) {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const { session } = useAgent();
  const server = draft.servers[index];
  const nameErrors = useFieldErrors(['servers', index, 'name']);
  const addressErrors = useFieldErrors(['servers', index, 'address']);
  if (!server) return null;
  const isSelf = session?.server === server.name;
  return (
    <div role="group" aria-label={server.name} className="list-row server-row">
      <div className="cell cell-name">
        <strong>{server.name}</strong>
        {index === 0 ? <span className="tag">{t(S.masterServer)}</span> : null}
        {isSelf ? <span className="muted"> ({t(S.thisServer)})</span> : null}
        {nameErrors.messages.map((m) => (
          <p key={m} className="field-error">
            {m}
          </p>
        ))}
      </div>
      <div className="cell cell-address">
        <TextField
          label={t(S.addressOf(server.name))}
          value={server.address}
          errors={addressErrors.messages}
          onBlur={addressErrors.touch}
          onChange={(v) => {
            addressErrors.touch();
            update((d) => setServerAddress(d, index, v.trim()));
          }}
        />
      </div>
      <div className="cell cell-actions">
        <button type="button" className="icon" disabled={index === 0} onClick={() => update((d) => moveItem(d.servers, index, -1))}>
          <span aria-hidden="true">↑</span>
          <span className="sr-only">{t(S.moveUp(server.name))}</span>
        </button>
        <button type="button" className="icon" disabled={index === count - 1} onClick={() => update((d) => moveItem(d.servers, index, 1))}>
          <span aria-hidden="true">↓</span>
          <span className="sr-only">{t(S.moveDown(server.name))}</span>
        </button>
        <button type="button" className="danger-link" disabled={isSelf || count === 1} onClick={() => update((d) => removeServer(d, server.name))}>
          {t(S.removeNamed(server.name))}
        </button>
      </div>
    </div>
  );
}

export function AddServerDialog({ onClose }: { onClose: () => void }) {
  const { t, lang } = useI18n();
  const { client } = useAgent();
  const { draft, update } = useDraft();
  const [address, setAddress] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ErrorText | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const add = (serverName: string, serverAddress: string, instanceId: string | null) => {
    if (draft.servers.some((s) => s.name === serverName)) {
      setProblem(t(S.serverExists(serverName)));
      return;
    }
    update((d) => {
      addServer(d, serverName, serverAddress);
      const added = d.servers[d.servers.length - 1];
      if (added && instanceId) added.instanceId = instanceId;
    });
    onClose();
  };

  const submit = async () => {
    const a = address.trim();
    setProblem(null);
    if (!IPV4_RE.test(a)) {
      setProblem(t(S.enterIpv4));
      return;
    }
    if (draft.servers.some((s) => s.address === a)) {
      setProblem(t(S.addressExists(a)));
      return;
    }
    if (failure) {
      // The agent could not be asked: the typed name is used.
      add(name.trim(), a, null);
      return;
    }
    setBusy(true);
    try {
      const info = await client.request('servers.probe', { address: a });
      add(info.name, a, info.instanceId);
    } catch (e) {
      setFailure(errorText(e, lang));
    } finally {
      setBusy(false);
    }
  };

  return (
    <FormDialog title={t(S.addServer)} okLabel={t(S.ok)} cancelLabel={t(S.cancel)} busy={busy} onSubmit={() => void submit()} onCancel={onClose}>
      <TextField label={t(S.serverAddress)} help={t(S.addServerHelp)} value={address} placeholder="10.0.120.10" onChange={setAddress} />
        {busy ? <p role="status">{t(S.probing)}</p> : null}
        {failure ? (
          <div role="alert" className="notice notice-error">
            <p>{t(S.probeFailed)}</p>
            <p>
              {failure.sentence}
              {failure.detail ? <span className="detail"> ({failure.detail})</span> : null}
            </p>
          </div>
        ) : null}
        {failure ? <TextField label={t(S.serverNameToAdd)} value={name} placeholder="server2" onChange={setName} /> : null}
        {problem ? (
          <p role="alert" className="field-error">
            {problem}
          </p>
        ) : null}
    </FormDialog>
  );
}

export function ServersPage() {
  const { t } = useI18n();
  const { draft } = useDraft();
  const [adding, setAdding] = useState(false);
  return (
    <div>
      <p className="page-help">{t(S.priorityOrderHelp)}</p>
      <h3 className="list-title">{t(S.serverDefinitionList)}</h3>
      <div className="list">
        {draft.servers.map((s, i) => (
          <ServerRow key={s.name} index={i} count={draft.servers.length} />
        ))}
      </div>
      <div className="list-actions">
        <button type="button" onClick={() => setAdding(true)}>
          {t(S.add)}
        </button>
      </div>
      {adding ? <AddServerDialog onClose={() => setAdding(false)} /> : null}
      <PageErrors scope={serversPageScope} placed={(p) => p[2] === 'name' || p[2] === 'address'} />
    </div>
  );
}
