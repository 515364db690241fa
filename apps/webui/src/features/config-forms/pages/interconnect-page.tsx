/**
 * Page "Interconnect": rows of priority, type, MDC and one address per server (filled from the servers'
 * addresses), plus the heartbeat timing and the failover time it implies.
 */
import { SelectField, TextField } from '../../../components/form';
import { useI18n } from '../../../lib/i18n/i18n-context';
import { S } from '../../../lib/i18n/strings';
import { BoundNumber } from '../bound-fields';
import { addInterconnect, renumberInterconnects } from '../draft';
import { PageErrors, useDraft, useFieldErrors } from '../draft-context';
import { FailoverTime } from '../failover-time';
import { anyOf, under } from '../scope';
import type { Scope } from '../scope';

export const interconnectPageScope: Scope = anyOf(under(['interconnects'], ['cluster', 'heartbeat']), (p) => p[0] === 'servers' && p.length === 2);

function AddressCell({ row, server }: { row: number; server: string }) {
  const { draft, update } = useDraft();
  const { messages, touch } = useFieldErrors(['interconnects', row, 'addresses', server]);
  const value = draft.interconnects[row]?.addresses[server] ?? '';
  return (
    <TextField
      label={server}
      value={value}
      placeholder={draft.servers.find((s) => s.name === server)?.address}
      errors={messages}
      onBlur={touch}
      onChange={(v) => {
        touch();
        update((d) => {
          const ic = d.interconnects[row];
          if (!ic) return;
          if (v.trim() === '') delete ic.addresses[server];
          else ic.addresses[server] = v.trim();
        });
      }}
    />
  );
}

function InterconnectRow({ row }: { row: number }) {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const ic = draft.interconnects[row];
  const mdcErrors = useFieldErrors(['interconnects', row, 'mdc']);
  const priorityErrors = useFieldErrors(['interconnects', row, 'priority']);
  if (!ic) return null;
  const name = t(S.interconnectRow(row + 1));
  const mdcChoices = draft.interconnects.map((_, i) => `mdc${i + 1}`);
  if (ic.mdc && !mdcChoices.includes(ic.mdc)) mdcChoices.push(ic.mdc);
  return (
    <div role="group" aria-label={name} className="list-row ic-row">
      <div className="cell cell-priority">
        <span className="sr-only">{t(S.priority)} </span>
        {ic.priority}
        {priorityErrors.messages.map((m) => (
          <p key={m} className="field-error">
            {m}
          </p>
        ))}
      </div>
      <div className="cell">
        <SelectField
          label={t(S.type)}
          value={ic.kind}
          options={[
            { value: 'kernel', label: t(S.kindKernel) },
            { value: 'user', label: t(S.kindUser) },
            { value: 'mirror', label: t(S.kindMirror) },
          ]}
          onChange={(v) =>
            update((d) => {
              const x = d.interconnects[row];
              if (x && (v === 'kernel' || v === 'user' || v === 'mirror')) x.kind = v;
            })
          }
        />
      </div>
      <div className="cell">
        <SelectField
          label={t(S.mdc)}
          value={ic.mdc ?? ''}
          errors={mdcErrors.messages}
          options={[{ value: '', label: t(S.mdcNone) }, ...mdcChoices.map((c) => ({ value: c, label: c }))]}
          onChange={(v) => {
            mdcErrors.touch();
            update((d) => {
              const x = d.interconnects[row];
              if (!x) return;
              if (v === '') delete x.mdc;
              else x.mdc = v;
            });
          }}
        />
      </div>
      {draft.servers.map((s) => (
        <div className="cell" key={s.name}>
          <AddressCell row={row} server={s.name} />
        </div>
      ))}
      <div className="cell cell-actions">
        <button
          type="button"
          className="danger-link"
          disabled={draft.interconnects.length === 1}
          onClick={() =>
            update((d) => {
              d.interconnects.splice(row, 1);
              renumberInterconnects(d);
            })
          }
        >
          {t(S.removeNamed(name))}
        </button>
      </div>
    </div>
  );
}

export function InterconnectPage() {
  const { t } = useI18n();
  const { draft, update } = useDraft();
  const columns = `4rem minmax(9rem, 1fr) minmax(7rem, 0.8fr) repeat(${draft.servers.length}, minmax(9rem, 1fr)) auto`;
  return (
    <div>
      <p className="page-help">{t(S.interconnectHelp)}</p>
      <h3 className="list-title">{t(S.interconnectList)}</h3>
      <div className="list grid-list" style={{ ['--columns' as string]: columns }}>
        <div className="list-head" aria-hidden="true">
          <span>{t(S.priority)}</span>
          <span>{t(S.type)}</span>
          <span>{t(S.mdc)}</span>
          {draft.servers.map((s) => (
            <span key={s.name}>{s.name}</span>
          ))}
          <span />
        </div>
        {draft.interconnects.map((ic, i) => (
          <InterconnectRow key={`${i}:${ic.priority}`} row={i} />
        ))}
      </div>
      <div className="list-actions">
        <button
          type="button"
          onClick={() =>
            update((d) => {
              addInterconnect(d);
            })
          }
        >
          {t(S.add)}
        </button>
      </div>
      <fieldset className="form-grid two">
        <legend>{t(S.heartbeat)}</legend>
        <BoundNumber path={['cluster', 'heartbeat', 'intervalS']} label={t(S.heartbeatInterval)} suffix={t(S.seconds)} />
        <BoundNumber path={['cluster', 'heartbeat', 'timeoutS']} label={t(S.heartbeatTimeout)} help={t(S.heartbeatHelp)} suffix={t(S.seconds)} />
      </fieldset>
      <FailoverTime />
      <PageErrors scope={interconnectPageScope} placed={(p) => (p[0] === 'interconnects' && (p[2] === 'addresses' || p[2] === 'mdc' || p[2] === 'priority')) || p[1] === 'heartbeat'} />
    </div>
  );
}
