/**
 * Kumo speaks English and Japanese (CLUSTERPRO's two languages). Every text that reaches an administrator —
 * labels, help, validation messages — is a `Msg` with both, so that no screen can forget one.
 */
export type Lang = 'en' | 'ja';

export const LANGS: readonly Lang[] = ['en', 'ja'];

export interface Msg {
  readonly en: string;
  readonly ja: string;
}

export function msg(en: string, ja: string): Msg {
  return { en, ja };
}

export function tr(m: Msg, lang: Lang): string {
  return m[lang];
}
