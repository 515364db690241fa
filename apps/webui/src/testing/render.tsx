/** Rendering helpers: the whole app around a fake agent, or one form around a draft. */
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { useState } from 'react';
import type { Lang } from '@kumo/shared';
import { App } from '../app/app';
import { AgentProvider } from '../lib/agent-context';
import { I18nProvider, useI18n } from '../lib/i18n/i18n-context';
import { DiscoveryProvider } from '../features/aws-assist/discovery';
import type { Draft } from '../features/config-forms/draft';
import { DraftProvider } from '../features/config-forms/draft-context';
import { FakeAgent } from './fake-agent';

export function renderApp(agent: FakeAgent, opts: { lang?: Lang; pageHost?: string } = {}) {
  return render(<App client={agent} pageHost={opts.pageHost ?? '10.0.110.10'} initialLang={opts.lang ?? 'en'} />);
}

/** A language switch for tests of forms rendered alone. */
export function LangButtons() {
  const { setLang } = useI18n();
  return (
    <>
      <button type="button" onClick={() => setLang('en')}>
        English
      </button>
      <button type="button" onClick={() => setLang('ja')}>
        日本語
      </button>
    </>
  );
}

/** Renders `ui` around a draft held in state; `draft()` reads its current value. */
export function renderWithDraft(initial: Draft, ui: ReactNode, opts: { agent?: FakeAgent; lang?: Lang } = {}) {
  const agent = opts.agent ?? FakeAgent.fresh();
  const current = { value: initial };
  function Harness() {
    const [draft, setDraft] = useState(initial);
    current.value = draft;
    return (
      <DraftProvider draft={draft} setDraft={setDraft}>
        {ui}
      </DraftProvider>
    );
  }
  const result = render(
    <I18nProvider initial={opts.lang ?? 'en'}>
      <AgentProvider client={agent} session={null} pageHost="10.0.110.10">
        <DiscoveryProvider>
          <LangButtons />
          <Harness />
        </DiscoveryProvider>
      </AgentProvider>
    </I18nProvider>,
  );
  return { ...result, agent, draft: () => current.value };
}

/** The text of the elements that describe a control (its errors and help), as a screen reader reads them. */
export function descriptionOf(el: HTMLElement): string {
  const ids = el.getAttribute('aria-describedby')?.split(/\s+/) ?? [];
  return ids
    .map((id) => el.ownerDocument.getElementById(id)?.textContent ?? '')
    .join(' ')
    .trim();
}
