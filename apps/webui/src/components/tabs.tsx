/**
 * Tabs (the WAI-ARIA tabs pattern): a tablist of buttons whose accessible names are exactly their titles
 * ("Common", "server1", …); only the active panel is rendered, so field labels stay unique on the page.
 * A tab may carry a marker (e.g. it has errors) that is shown but not part of its name.
 */
import { useId, useRef } from 'react';
import type { ReactNode } from 'react';

export interface TabDef {
  readonly id: string;
  readonly label: string;
  /** Shown beside the label, hidden from the accessible name; its text is the tab's description. */
  readonly marker?: string | undefined;
}

export function Tabs(props: { readonly label: string; readonly tabs: readonly TabDef[]; readonly active: string; readonly onChange: (id: string) => void; readonly children: ReactNode }) {
  const base = useId();
  const refs = useRef(new Map<string, HTMLButtonElement>());
  const focusAt = (i: number) => {
    const n = props.tabs.length;
    const tab = props.tabs[((i % n) + n) % n];
    if (!tab) return;
    props.onChange(tab.id);
    refs.current.get(tab.id)?.focus();
  };
  const activeIndex = props.tabs.findIndex((t) => t.id === props.active);
  return (
    <div className="tabs">
      <div role="tablist" aria-label={props.label} className="tablist">
        {props.tabs.map((t, i) => {
          const selected = t.id === props.active;
          return (
            <button
              key={t.id}
              ref={(el) => {
                if (el) refs.current.set(t.id, el);
                else refs.current.delete(t.id);
              }}
              type="button"
              role="tab"
              id={`${base}-tab-${i}`}
              aria-selected={selected}
              aria-controls={selected ? `${base}-panel` : undefined}
              aria-description={t.marker}
              tabIndex={selected ? 0 : -1}
              className={t.marker ? 'tab has-marker' : 'tab'}
              onClick={() => props.onChange(t.id)}
              onKeyDown={(e) => {
                if (e.key === 'ArrowRight') focusAt(i + 1);
                else if (e.key === 'ArrowLeft') focusAt(i - 1);
                else if (e.key === 'Home') focusAt(0);
                else if (e.key === 'End') focusAt(props.tabs.length - 1);
              }}
            >
              {t.label}
              {t.marker ? (
                <span className="tab-marker" aria-hidden="true">
                  !
                </span>
              ) : null}
            </button>
          );
        })}
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-tab-${Math.max(0, activeIndex)}`} className="tabpanel">
        {props.children}
      </div>
    </div>
  );
}
