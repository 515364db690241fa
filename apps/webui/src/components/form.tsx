/**
 * Form controls with their label, help and errors wired for assistive technology: the label names the control,
 * help and errors describe it (`aria-describedby`), and an error marks it `aria-invalid`. The e2e tests find
 * every control by its label, so labels are exactly the guide's words and nothing else.
 */
import { useId, useState } from 'react';
import type { ReactNode } from 'react';

export interface FieldProps {
  readonly label: string;
  readonly help?: string | undefined;
  readonly errors?: readonly string[] | undefined;
  /** A short flag shown beside the label (e.g. "must be set on each server"); also read as part of the description. */
  readonly badge?: string | undefined;
  readonly disabled?: boolean | undefined;
  readonly onBlur?: (() => void) | undefined;
}

interface ShellProps extends FieldProps {
  readonly id: string;
  readonly children: (describedBy: string | undefined, invalid: boolean) => ReactNode;
  readonly inline?: boolean;
}

/** Label, control, badge, help and errors of one field. */
export function FieldShell({ id, label, help, errors, badge, children, inline }: ShellProps) {
  const helpId = help || badge ? `${id}-help` : undefined;
  const errId = errors && errors.length > 0 ? `${id}-err` : undefined;
  const describedBy = [errId, helpId].filter(Boolean).join(' ') || undefined;
  const invalid = errId !== undefined;
  const control = children(describedBy, invalid);
  return (
    <div className={`field${inline ? ' field-inline' : ''}${invalid ? ' field-invalid' : ''}`}>
      {inline ? (
        <label className="field-check" htmlFor={id}>
          {control}
          <span>{label}</span>
        </label>
      ) : (
        <>
          <span className="label-row">
            <label className="field-label" htmlFor={id}>
              {label}
            </label>
            {badge ? (
              <span className="badge" aria-hidden="true">
                {badge}
              </span>
            ) : null}
          </span>
          {control}
        </>
      )}
      {errId ? (
        <div id={errId} className="field-error">
          {errors?.map((e) => <p key={e}>{e}</p>)}
        </div>
      ) : null}
      {helpId ? (
        <p id={helpId} className="field-help">
          {badge && inline ? `${badge}. ` : badge ? <span className="sr-only">{badge}. </span> : null}
          {help}
        </p>
      ) : null}
    </div>
  );
}

export function TextField(
  props: FieldProps & {
    readonly value: string;
    readonly onChange: (value: string) => void;
    readonly placeholder?: string | undefined;
    readonly type?: 'text' | 'password';
    readonly autoComplete?: string;
    readonly inputMode?: 'text' | 'decimal' | 'numeric';
    readonly suffix?: string | undefined;
  },
) {
  const id = useId();
  return (
    <FieldShell id={id} {...props}>
      {(describedBy, invalid) => (
        <span className="input-wrap">
          <input
            id={id}
            type={props.type ?? 'text'}
            value={props.value}
            placeholder={props.placeholder}
            disabled={props.disabled}
            autoComplete={props.autoComplete ?? 'off'}
            inputMode={props.inputMode}
            spellCheck={false}
            aria-describedby={describedBy}
            aria-invalid={invalid || undefined}
            onChange={(e) => props.onChange(e.target.value)}
            onBlur={props.onBlur}
          />
          {props.suffix ? <span className="input-suffix">{props.suffix}</span> : null}
        </span>
      )}
    </FieldShell>
  );
}

const fmt = (v: number | string | undefined): string => (v === undefined ? '' : String(v));

/**
 * Parses what was typed: empty is "not set", a number is a number, anything else is kept as text so that the
 * shared validator can say what is wrong with it.
 */
export function parseNumberText(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) && /^-?(\d+\.?\d*|\.\d+)$/.test(t) ? n : text;
}

/** A number typed as text (so "0." survives while typing), showing `fallback` (the default) when unset. */
export function NumberField(
  props: FieldProps & {
    readonly value: number | string | undefined;
    readonly fallback?: number | undefined;
    readonly onChange: (value: number | string | undefined) => void;
    readonly suffix?: string | undefined;
  },
) {
  const shown = props.value ?? props.fallback;
  const [text, setText] = useState(fmt(shown));
  const [prev, setPrev] = useState(shown);
  if (!Object.is(prev, shown)) {
    setPrev(shown);
    const typed = parseNumberText(text);
    if (!Object.is(typed, shown) && !(typed === undefined && props.value === undefined)) setText(fmt(shown));
  }
  return (
    <TextField
      {...props}
      inputMode="decimal"
      placeholder={props.fallback === undefined ? undefined : String(props.fallback)}
      value={text}
      onChange={(t) => {
        setText(t);
        props.onChange(parseNumberText(t));
      }}
    />
  );
}

export interface Option {
  readonly value: string;
  readonly label: string;
  readonly group?: string;
}

export function SelectField(props: FieldProps & { readonly value: string; readonly options: readonly Option[]; readonly onChange: (value: string) => void }) {
  const id = useId();
  const groups = [...new Set(props.options.map((o) => o.group))];
  const render = (o: Option) => (
    <option key={o.value} value={o.value}>
      {o.label}
    </option>
  );
  return (
    <FieldShell id={id} {...props}>
      {(describedBy, invalid) => (
        <select
          id={id}
          value={props.value}
          disabled={props.disabled}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          onChange={(e) => props.onChange(e.target.value)}
          onBlur={props.onBlur}
        >
          {groups.length > 1 || groups[0] !== undefined
            ? groups.map((g) =>
                g === undefined ? (
                  props.options.filter((o) => o.group === undefined).map(render)
                ) : (
                  <optgroup key={g} label={g}>
                    {props.options.filter((o) => o.group === g).map(render)}
                  </optgroup>
                ),
              )
            : props.options.map(render)}
        </select>
      )}
    </FieldShell>
  );
}

export function CheckboxField(props: FieldProps & { readonly checked: boolean; readonly onChange: (checked: boolean) => void }) {
  const id = useId();
  return (
    <FieldShell id={id} {...props} inline>
      {(describedBy, invalid) => (
        <input
          id={id}
          type="checkbox"
          checked={props.checked}
          disabled={props.disabled}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          onChange={(e) => props.onChange(e.target.checked)}
        />
      )}
    </FieldShell>
  );
}

export function TextAreaField(props: FieldProps & { readonly value: string; readonly onChange: (value: string) => void; readonly rows?: number }) {
  const id = useId();
  return (
    <FieldShell id={id} {...props}>
      {(describedBy, invalid) => (
        <textarea
          id={id}
          className="code"
          rows={props.rows ?? 8}
          value={props.value}
          disabled={props.disabled}
          spellCheck={false}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          onChange={(e) => props.onChange(e.target.value)}
          onBlur={props.onBlur}
        />
      )}
    </FieldShell>
  );
}

/** Radio buttons in a fieldset whose legend names the choice. */
export function RadioGroup<V extends string>(props: {
  readonly legend: string;
  readonly value: V;
  readonly options: readonly { readonly value: V; readonly label: string }[];
  readonly onChange: (value: V) => void;
  readonly disabled?: boolean;
  readonly children?: ReactNode;
}) {
  const name = useId();
  return (
    <fieldset className="radio-group">
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label key={o.value} className="field-check">
          <input
            type="radio"
            name={name}
            value={o.value}
            checked={props.value === o.value}
            disabled={props.disabled}
            onChange={() => props.onChange(o.value)}
          />
          <span>{o.label}</span>
        </label>
      ))}
      {props.children}
    </fieldset>
  );
}
