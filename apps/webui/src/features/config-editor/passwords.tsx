/**
 * WebUI passwords (CLUSTERPRO's "Control connection by using password"): entered in the cluster properties and
 * sent with Apply as `passwords`; the agent stores only hashes and never returns them, so the page only ever
 * knows what the user typed in this session.
 */
import type { MethodParams } from '@kumo/shared';
import { RadioGroup, TextField } from '../../components/form';
import { useI18n } from '../../lib/i18n/i18n-context';
import { S } from '../../lib/i18n/strings';

export type PasswordChange = { readonly mode: 'keep' } | { readonly mode: 'remove' } | { readonly mode: 'set'; readonly value: string; readonly confirm: string };
export interface PasswordChanges {
  readonly operation: PasswordChange;
  readonly reference: PasswordChange;
}

export const KEEP_PASSWORDS: PasswordChanges = { operation: { mode: 'keep' }, reference: { mode: 'keep' } };

export function passwordProblem(c: PasswordChange): 'empty' | 'differ' | null {
  if (c.mode !== 'set') return null;
  if (c.value === '') return 'empty';
  return c.value === c.confirm ? null : 'differ';
}

export function passwordsValid(p: PasswordChanges): boolean {
  return passwordProblem(p.operation) === null && passwordProblem(p.reference) === null;
}

/** The `passwords` param of `config.apply`, or undefined when nothing changes. */
export function passwordsParam(p: PasswordChanges): MethodParams<'config.apply'>['passwords'] {
  const one = (c: PasswordChange) => (c.mode === 'set' ? c.value : c.mode === 'remove' ? null : undefined);
  const operation = one(p.operation);
  const reference = one(p.reference);
  if (operation === undefined && reference === undefined) return undefined;
  return { ...(operation !== undefined ? { operation } : {}), ...(reference !== undefined ? { reference } : {}) };
}

function PasswordEditor({ legend, value, onChange }: { legend: string; value: PasswordChange; onChange: (c: PasswordChange) => void }) {
  const { t } = useI18n();
  const problem = passwordProblem(value);
  return (
    <RadioGroup
      legend={legend}
      value={value.mode}
      options={[
        { value: 'keep', label: t(S.passwordKeep) },
        { value: 'set', label: t(S.passwordSet) },
        { value: 'remove', label: t(S.passwordRemove) },
      ]}
      onChange={(mode) => onChange(mode === 'set' ? { mode, value: '', confirm: '' } : { mode })}
    >
      {value.mode === 'set' ? (
        <div className="form-grid two">
          <TextField
            type="password"
            autoComplete="new-password"
            label={`${legend}: ${t(S.newPassword)}`}
            value={value.value}
            errors={problem === 'empty' ? [t(S.passwordEmpty)] : undefined}
            onChange={(v) => onChange({ ...value, value: v })}
          />
          <TextField
            type="password"
            autoComplete="new-password"
            label={`${legend}: ${t(S.confirmPassword)}`}
            value={value.confirm}
            errors={problem === 'differ' ? [t(S.passwordsDiffer)] : undefined}
            onChange={(v) => onChange({ ...value, confirm: v })}
          />
        </div>
      ) : null}
    </RadioGroup>
  );
}

export function PasswordsPage({ value, onChange, passwordSet }: { value: PasswordChanges; onChange: (p: PasswordChanges) => void; passwordSet: boolean }) {
  const { t } = useI18n();
  return (
    <div>
      <p className="page-help">{t(S.passwordsHelp)}</p>
      {passwordSet ? <p className="muted">{t(S.passwordStatusSet)}</p> : null}
      <PasswordEditor legend={t(S.operationPassword)} value={value.operation} onChange={(operation) => onChange({ ...value, operation })} />
      <PasswordEditor legend={t(S.referencePassword)} value={value.reference} onChange={(reference) => onChange({ ...value, reference })} />
    </div>
  );
}
