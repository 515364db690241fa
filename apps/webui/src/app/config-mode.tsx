/**
 * Config mode: the cluster generation wizard while it runs, else the config editor, else (no configuration
 * anywhere yet) a start page with the wizard and import.
 */
import type { Dispatch, SetStateAction } from 'react';
import type { ApplyResult, ConfigDoc } from '@kumo/shared';
import { useAgent } from '../lib/agent-context';
import { useI18n } from '../lib/i18n/i18n-context';
import { S } from '../lib/i18n/strings';
import { ClusterWizard, startWizard } from '../features/cluster-wizard/cluster-wizard';
import { ConfigEditor } from '../features/config-editor/config-editor';
import { ImportButton } from '../features/config-editor/export-import';
import type { PasswordChanges } from '../features/config-editor/passwords';
import type { Draft } from '../features/config-forms/draft';

export function ConfigMode(props: {
  draft: Draft | null;
  setDraft: Dispatch<SetStateAction<Draft | null>>;
  wizard: Draft | null;
  setWizard: Dispatch<SetStateAction<Draft | null>>;
  running: Draft | null;
  runningDoc: ConfigDoc | null;
  passwords: PasswordChanges;
  setPasswords: (p: PasswordChanges) => void;
  onApplied: (result: ApplyResult) => void;
}) {
  const { t, lang } = useI18n();
  const { session, pageHost } = useAgent();
  const { draft, wizard, setDraft, setWizard } = props;
  const begin = () => setWizard(startWizard(session, pageHost, lang));

  if (wizard) {
    return (
      <ClusterWizard
        draft={wizard}
        setDraft={setWizard as Dispatch<SetStateAction<Draft>>}
        onFinish={() => {
          setDraft(wizard);
          setWizard(null);
        }}
        onCancel={() => setWizard(null)}
      />
    );
  }
  if (draft) {
    return (
      <ConfigEditor
        draft={draft}
        setDraft={setDraft as Dispatch<SetStateAction<Draft>>}
        running={props.running}
        runningDoc={props.runningDoc}
        passwords={props.passwords}
        setPasswords={props.setPasswords}
        passwordSet={session?.passwordRequired ?? false}
        onStartWizard={begin}
        onApplied={props.onApplied}
        onDiscard={() => {
          setDraft(props.running);
          props.setPasswords({ operation: { mode: 'keep' }, reference: { mode: 'keep' } });
        }}
      />
    );
  }
  return (
    <section className="start" aria-labelledby="start-title">
      <h2 id="start-title">{t(S.startTitle)}</h2>
      <p>{t(S.startHelp)}</p>
      <div className="start-actions">
        <button type="button" className="primary large" onClick={begin}>
          {t(S.startWizard)}
        </button>
        <ImportButton onImport={(d) => setDraft(d)} />
      </div>
    </section>
  );
}
