/**
 * The cluster generation wizard (クラスタ生成ウィザード), as the guide's chapters 5.3, 6.3 and 7.3 walk through it:
 * Cluster → Basic Settings → Interconnect → NP Resolution → Group List (each group: Group Definition → Startup
 * Servers → Group Attributes → Group Resource List, each resource: Info → Dependency → Recovery Operation →
 * Details) → Monitor Resource List (each monitor: Info → Monitor (common) → Monitor (special) → Recovery Action)
 * → Finish. Apply comes after, from config mode.
 */
import type { Dispatch, SetStateAction } from 'react';
import { IPV4_RE } from '@kumo/shared';
import type { Lang } from '@kumo/shared';
import type { SessionInfo } from '../../lib/agent-context';
import { S } from '../../lib/i18n/strings';
import { newDraft } from '../config-forms/draft';
import type { Draft } from '../config-forms/draft';
import { DraftProvider } from '../config-forms/draft-context';
import { clusterWizardSteps, defineFrame } from '../config-forms/steps';
import { WizardStack } from '../config-forms/wizard-stack';

/** A fresh wizard draft: the server the page was loaded from is the master server. */
export function startWizard(session: SessionInfo | null, pageHost: string, lang: Lang): Draft {
  const name = session?.server ?? 'server1';
  const known = session?.peers.find((p) => p.name === name)?.address;
  const address = IPV4_RE.test(pageHost) ? pageHost : (known ?? '');
  return newDraft({ name, address }, lang);
}

export function ClusterWizard(props: { draft: Draft; setDraft: Dispatch<SetStateAction<Draft>>; onFinish: () => void; onCancel: () => void }) {
  return (
    <DraftProvider draft={props.draft} setDraft={props.setDraft}>
      <WizardStack
        root={{ kind: 'cluster' }}
        rootSnapshot={props.draft}
        define={(frame, t, d) => defineFrame(frame, t, d, () => ({ title: t(S.wizardTitle), what: t(S.wizardTitle), steps: clusterWizardSteps }))}
        onClose={(outcome) => (outcome === 'finished' ? props.onFinish() : props.onCancel())}
      />
    </DraftProvider>
  );
}
