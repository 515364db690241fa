/**
 * A properties dialog: the wizard's pages of one object as tabs, with OK and Cancel. Every error shows at once
 * (the object exists already); OK refuses while a page has errors and goes to the first such page; Cancel puts
 * the draft back as it was when the dialog opened.
 */
import { useState } from 'react';
import { Dialog } from '../../components/dialog';
import { Tabs } from '../../components/tabs';
import { useI18n } from '../../lib/i18n/i18n-context';
import { S } from '../../lib/i18n/strings';
import { ErrorVisibility, useDraft } from '../config-forms/draft-context';
import type { StepDef } from '../config-forms/wizard-stack';

export function PropertiesDialog(props: { title: string; steps: readonly StepDef[]; onOk: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const { errors } = useDraft();
  const [tab, setTab] = useState(props.steps[0]?.id ?? '');
  const [blocked, setBlocked] = useState<number | null>(null);
  const step = props.steps.find((s) => s.id === tab) ?? props.steps[0];
  const count = (s: StepDef) => errors.filter((e) => s.scope(e.path)).length;
  return (
    <Dialog
      title={props.title}
      size="large"
      onDismiss={props.onCancel}
      footer={
        <>
          {blocked !== null && step && count(step) > 0 ? (
            <p role="alert" className="nav-blocked">
              {t(S.pageHasErrors(count(step)))}
            </p>
          ) : null}
          <button
            type="button"
            className="primary"
            onClick={() => {
              const failing = props.steps.find((s) => count(s) > 0);
              if (failing) {
                setTab(failing.id);
                setBlocked(count(failing));
                return;
              }
              props.onOk();
            }}
          >
            {t(S.ok)}
          </button>
          <button type="button" onClick={props.onCancel}>
            {t(S.cancel)}
          </button>
        </>
      }
    >
      {props.steps.length > 1 ? (
        <Tabs
          label={props.title}
          active={step?.id ?? ''}
          onChange={(id) => {
            setBlocked(null);
            setTab(id);
          }}
          tabs={props.steps.map((s) => ({ id: s.id, label: t(s.title), marker: count(s) > 0 ? t(S.pageHasErrors(count(s))) : undefined }))}
        >
          <ErrorVisibility showAll>{step?.render()}</ErrorVisibility>
        </Tabs>
      ) : (
        <ErrorVisibility showAll>{step?.render()}</ErrorVisibility>
      )}
    </Dialog>
  );
}
