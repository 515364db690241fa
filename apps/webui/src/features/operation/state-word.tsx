/** A state word as clpstat prints it (the WebUI's word in Japanese), coloured by its meaning; a type's label. */
import { MONITOR_TYPES, RESOURCE_TYPES } from '@kumo/shared';
import type { Msg } from '@kumo/shared';
import { useI18n } from '../../lib/i18n/i18n-context';
import { MONITOR_STATE, STATE } from './strings';

export function StateWord({ state, monitor = false, words }: { readonly state: string; readonly monitor?: boolean; readonly words?: Record<string, Msg> }) {
  const { t } = useI18n();
  const word = (words ?? (monitor ? MONITOR_STATE : STATE))[state];
  return <span className={`state state-${state}`}>{word ? t(word) : state}</span>;
}

/** The catalogue's label of a resource or monitor type ("AWS Virtual IP resource"), or its id. */
export function TypeName({ type }: { readonly type: string }) {
  const { t } = useI18n();
  const def = Object.hasOwn(RESOURCE_TYPES, type)
    ? RESOURCE_TYPES[type as keyof typeof RESOURCE_TYPES]
    : Object.hasOwn(MONITOR_TYPES, type)
      ? MONITOR_TYPES[type as keyof typeof MONITOR_TYPES]
      : undefined;
  return <span className="type-name">{def ? t(def.label) : type}</span>;
}

/** A table's column headers, from words or plain names (server names). */
export function Columns({ names }: { readonly names: readonly (Msg | string)[] }) {
  const { t } = useI18n();
  return (
    <thead>
      <tr>
        {names.map((n, i) => (
          <th scope="col" key={i}>
            {typeof n === 'string' ? n : t(n)}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** An NP target as the agent names it ("witness http://10.0.0.5:29009"), its kind added when the name lacks it. */
export function npLabel(n: { readonly kind: string; readonly target: string }): string {
  return n.target.startsWith(n.kind) ? n.target : `${n.kind} ${n.target}`;
}
