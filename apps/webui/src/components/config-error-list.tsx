/** Configuration errors as a list: where, then the shared validation's sentence in the chosen language. */
import type { ConfigError } from '@kumo/shared';
import { useI18n } from '../lib/i18n/i18n-context';

export function ConfigErrorList({ errors, limit, label, className = 'error-list' }: { errors: readonly ConfigError[]; limit?: number; label?: string; className?: string }) {
  const { t } = useI18n();
  return (
    <ul className={className} aria-label={label}>
      {errors.slice(0, limit ?? errors.length).map((e) => (
        <li key={`${e.where}:${e.message.en}`}>
          <code>{e.where}</code> {t(e.message)}
        </li>
      ))}
    </ul>
  );
}
