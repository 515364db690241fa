/**
 * A text field with a dropdown of choices (the ARIA 1.2 combobox pattern): the choices come from AWS discovery,
 * and typing stays possible, so the same field works when discovery is unavailable (then it is a plain text
 * field with a note saying why) and e2e tests can fill it either way.
 */
import { useId, useState } from 'react';
import { FieldShell } from './form';
import type { FieldProps } from './form';

export interface ComboOption {
  readonly value: string;
  readonly label: string;
}

export function ComboField(
  props: FieldProps & {
    readonly value: string;
    readonly onChange: (value: string) => void;
    readonly options: readonly ComboOption[];
    readonly placeholder?: string | undefined;
    /** A line under the field: how many were found, that discovery is unavailable, … */
    readonly note?: string | undefined;
    readonly toggleLabel: string;
  },
) {
  const id = useId();
  const listId = `${id}-list`;
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const hasOptions = props.options.length > 0;
  const expanded = open && hasOptions && !props.disabled;
  const pick = (value: string) => {
    props.onChange(value);
    setOpen(false);
    setActive(-1);
  };
  const help = [props.note, props.help].filter(Boolean).join(' ') || undefined;
  return (
    <FieldShell id={id} {...props} help={help}>
      {(describedBy, invalid) => (
        <div className="combo">
          <span className="input-wrap">
            <input
              id={id}
              type="text"
              role={hasOptions ? 'combobox' : undefined}
              aria-expanded={hasOptions ? expanded : undefined}
              aria-controls={hasOptions ? listId : undefined}
              aria-autocomplete={hasOptions ? 'list' : undefined}
              aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
              value={props.value}
              placeholder={props.placeholder}
              disabled={props.disabled}
              autoComplete="off"
              spellCheck={false}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              onChange={(e) => props.onChange(e.target.value)}
              onBlur={() => {
                // Options and the toggle keep the focus in the input (mousedown is prevented), so a blur leaves.
                props.onBlur?.();
                setOpen(false);
              }}
              onKeyDown={(e) => {
                if (!hasOptions) return;
                if (e.key === 'ArrowDown') {
                  e.preventDefault();
                  setOpen(true);
                  setActive((a) => Math.min(props.options.length - 1, a + 1));
                } else if (e.key === 'ArrowUp') {
                  e.preventDefault();
                  setActive((a) => Math.max(0, a - 1));
                } else if (e.key === 'Enter' && expanded && active >= 0) {
                  e.preventDefault();
                  const o = props.options[active];
                  if (o) pick(o.value);
                } else if (e.key === 'Escape') {
                  setOpen(false);
                }
              }}
            />
            {hasOptions ? (
              <button
                type="button"
                className="combo-toggle"
                tabIndex={-1}
                aria-label={props.toggleLabel}
                aria-expanded={expanded}
                aria-controls={listId}
                disabled={props.disabled}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => setOpen((o) => !o)}
              >
                ▾
              </button>
            ) : null}
          </span>
          {expanded ? (
            <ul id={listId} role="listbox" className="combo-list" aria-label={props.label}>
              {props.options.map((o, i) => (
                <li
                  key={o.value}
                  id={`${listId}-${i}`}
                  role="option"
                  aria-selected={o.value === props.value}
                  className={i === active ? 'active' : undefined}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    pick(o.value);
                  }}
                >
                  <span className="combo-value">{o.value}</span>
                  {o.label !== o.value ? <span className="combo-label">{o.label}</span> : null}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      )}
    </FieldShell>
  );
}
