/**
 * The display language of the WebUI. Every string on screen is a `Msg` ({en, ja}); `t()` picks the current
 * language. The default is the cluster's language once a configuration exists, else the browser's; a choice made
 * with the toolbar's switch wins over both.
 */
import { createContext, useCallback, useContext, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { Lang, Msg } from '@kumo/shared';

export interface I18n {
  readonly lang: Lang;
  readonly t: (m: Msg) => string;
  /** The user's explicit choice (the toolbar). */
  readonly setLang: (lang: Lang) => void;
}

const I18nContext = createContext<I18n | null>(null);

export function browserLang(): Lang {
  const langs = typeof navigator === 'undefined' ? [] : [...(navigator.languages ?? []), navigator.language];
  return langs.some((l) => typeof l === 'string' && l.toLowerCase().startsWith('ja')) ? 'ja' : 'en';
}

export function I18nProvider({ clusterLang, initial, children }: { clusterLang?: Lang | null | undefined; initial?: Lang; children: ReactNode }) {
  const [chosen, setChosen] = useState<Lang | null>(initial ?? null);
  const lang: Lang = chosen ?? clusterLang ?? browserLang();
  const t = useCallback((m: Msg) => m[lang], [lang]);
  const value = useMemo<I18n>(() => ({ lang, t, setLang: setChosen }), [lang, t]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(I18nContext);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
