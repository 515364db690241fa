/**
 * A text field whose dropdown is filled by AWS discovery; without discovery it is a plain text field with a
 * note saying why.
 */
import { ComboField } from '../../components/combobox';
import type { ComboOption } from '../../components/combobox';
import type { FieldProps } from '../../components/form';
import { errorText } from '../../lib/i18n/error-text';
import { useI18n } from '../../lib/i18n/i18n-context';
import { S } from '../../lib/i18n/strings';
import { useDiscovery } from './discovery';
import type { DiscoverWhat, DiscoveryState } from './discovery';

export function discoveryNote(state: DiscoveryState | null, t: (m: { en: string; ja: string }) => string, lang: 'en' | 'ja'): string | undefined {
  if (!state) return undefined;
  switch (state.status) {
    case 'loading':
      return t(S.discoveryLoading);
    case 'ready':
      return t(S.discoveryFound(state.items.length));
    case 'unavailable':
      return t(S.discoveryUnavailable);
    case 'failed':
      return `${t(S.discoveryFailed)} (${errorText(state.error, lang).sentence})`;
    default: {
      const check: never = state;
      return check;
    }
  }
}

export function DiscoveryField(
  props: FieldProps & {
    readonly what: DiscoverWhat;
    readonly value: string;
    readonly onChange: (value: string) => void;
    readonly placeholder?: string | undefined;
    /** Extra choices known without AWS (e.g. the servers' addresses). */
    readonly extra?: readonly ComboOption[];
  },
) {
  const { t, lang } = useI18n();
  const state = useDiscovery(props.what);
  const found = state?.status === 'ready' ? state.items.map((i) => ({ value: i.id, label: i.label })) : [];
  return (
    <ComboField
      {...props}
      options={[...(props.extra ?? []), ...found]}
      note={discoveryNote(state, t, lang)}
      toggleLabel={t(S.showOptions)}
    />
  );
}
