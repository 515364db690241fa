/**
 * Export the configuration as a JSON file, and import one: a file replaces the draft only after it passed the
 * shared validation; otherwise its errors are listed and nothing changes. Password hashes never enter the page.
 */
import { useState } from 'react';
import { validateClusterConfig } from '@kumo/shared';
import type { ConfigError } from '@kumo/shared';
import { ConfigErrorList } from '../../components/config-error-list';
import { useI18n } from '../../lib/i18n/i18n-context';
import { S } from '../../lib/i18n/strings';
import { draftFromConfig, hasSecrets } from '../config-forms/draft';
import type { Draft } from '../config-forms/draft';

export function exportFileName(d: Draft): string {
  return `${d.cluster.name || 'cluster'}.kumo.json`;
}

/** Downloads the draft as a file (it carries no secrets: the draft never has them). */
export function exportConfig(d: Draft): void {
  const blob = new Blob([`${JSON.stringify(d, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = exportFileName(d);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export type ImportOutcome =
  | { readonly ok: true; readonly draft: Draft; readonly secretsDropped: boolean }
  | { readonly ok: false; readonly notJson: true }
  | { readonly ok: false; readonly notJson: false; readonly errors: readonly ConfigError[] };

export function readConfigFile(text: string): ImportOutcome {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, notJson: true };
  }
  const checked = validateClusterConfig(raw);
  if (!checked.ok) return { ok: false, notJson: false, errors: checked.errors };
  const draft = draftFromConfig(raw);
  if (!draft) return { ok: false, notJson: false, errors: [] };
  return { ok: true, draft, secretsDropped: hasSecrets(raw) };
}

/** The "Import" file input and what the import said. */
export function ImportButton({ onImport }: { onImport: (d: Draft) => void }) {
  const { t } = useI18n();
  const [outcome, setOutcome] = useState<{ name: string; result: ImportOutcome } | null>(null);
  return (
    <>
      <label className="button file-button">
        <input
          type="file"
          className="sr-only"
          accept=".json,application/json"
          onChange={(e) => {
            const input = e.currentTarget;
            const file = input.files?.[0];
            if (!file) return;
            void file.text().then((text) => {
              const result = readConfigFile(text);
              setOutcome({ name: file.name, result });
              if (result.ok) onImport(result.draft);
              input.value = '';
            });
          }}
        />
        {t(S.importConfig)}
      </label>
      {outcome ? <ImportMessage name={outcome.name} result={outcome.result} onDismiss={() => setOutcome(null)} /> : null}
    </>
  );
}

function ImportMessage({ name, result, onDismiss }: { name: string; result: ImportOutcome; onDismiss: () => void }) {
  const { t } = useI18n();
  return (
    <div className={`notice ${result.ok ? 'notice-ok' : 'notice-error'} import-message`} role={result.ok ? 'status' : 'alert'}>
      {result.ok ? (
        <>
          <p>{t(S.importDone(name))}</p>
          {result.secretsDropped ? <p>{t(S.importSecretsDropped)}</p> : null}
        </>
      ) : result.notJson ? (
        <p>{t(S.importNotJson)}</p>
      ) : (
        <>
          <p>{t(S.importInvalid(result.errors.length))}</p>
          <ConfigErrorList errors={result.errors} limit={20} />
        </>
      )}
      <button type="button" className="link" onClick={onDismiss}>
        {t(S.close)}
      </button>
    </div>
  );
}
