/**
 * Fields bound to a path of the draft: they read the value there, write what is typed back, and show the
 * validation errors of that path.
 */
import { CheckboxField, NumberField, SelectField, TextField } from '../../components/form';
import type { FieldProps, Option } from '../../components/form';
import { getIn } from './draft';
import type { Path } from './draft';
import { useDraft, useFieldErrors } from './draft-context';

type BoundProps = Omit<FieldProps, 'errors'> & { readonly path: Path };

const asText = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

export function BoundText(props: BoundProps & { readonly placeholder?: string; readonly emptyAs?: 'empty' | 'unset'; readonly type?: 'text' | 'password' }) {
  const { draft, setAt } = useDraft();
  const { messages, touch } = useFieldErrors(props.path);
  return (
    <TextField
      {...props}
      value={asText(getIn(draft, props.path))}
      errors={messages}
      onBlur={touch}
      onChange={(v) => {
        touch();
        setAt(props.path, v === '' && props.emptyAs === 'unset' ? undefined : v);
      }}
    />
  );
}

export function BoundNumber(props: BoundProps & { readonly fallback?: number | undefined; readonly suffix?: string | undefined }) {
  const { draft, setAt } = useDraft();
  const { messages, touch } = useFieldErrors(props.path);
  const v = getIn(draft, props.path);
  return (
    <NumberField
      {...props}
      value={typeof v === 'number' || typeof v === 'string' ? v : undefined}
      errors={messages}
      onBlur={touch}
      onChange={(value) => {
        touch();
        setAt(props.path, value);
      }}
    />
  );
}

export function BoundSelect(props: BoundProps & { readonly options: readonly Option[] }) {
  const { draft, setAt } = useDraft();
  const { messages, touch } = useFieldErrors(props.path);
  return (
    <SelectField
      {...props}
      value={asText(getIn(draft, props.path))}
      errors={messages}
      onChange={(v) => {
        touch();
        setAt(props.path, v);
      }}
    />
  );
}

export function BoundCheckbox(props: BoundProps & { readonly fallback?: boolean }) {
  const { draft, setAt } = useDraft();
  const { messages, touch } = useFieldErrors(props.path);
  const v = getIn(draft, props.path);
  return (
    <CheckboxField
      {...props}
      checked={typeof v === 'boolean' ? v : (props.fallback ?? false)}
      errors={messages}
      onChange={(checked) => {
        touch();
        setAt(props.path, checked);
      }}
    />
  );
}
