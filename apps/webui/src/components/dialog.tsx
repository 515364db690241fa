/**
 * A modal dialog drawn in the page (not `window.confirm`), named by its title, that takes the focus when it
 * opens, gives it back when it closes, keeps Tab inside, and closes on Escape when it may be dismissed.
 */
import { useEffect, useId, useRef } from 'react';
import type { ReactNode } from 'react';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Dialog(props: {
  readonly title: string;
  readonly children: ReactNode;
  readonly footer?: ReactNode;
  readonly onDismiss?: (() => void) | undefined;
  readonly role?: 'dialog' | 'alertdialog';
  readonly size?: 'small' | 'large';
}) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const { onDismiss } = props;
  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const first = ref.current?.querySelector<HTMLElement>('[data-autofocus]') ?? ref.current?.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();
    return () => before?.focus();
  }, []);
  return (
    <div className="dialog-backdrop">
      <div
        ref={ref}
        role={props.role ?? 'dialog'}
        aria-modal="true"
        aria-labelledby={titleId}
        className={`dialog dialog-${props.size ?? 'small'}`}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && onDismiss) {
            e.stopPropagation();
            onDismiss();
          } else if (e.key === 'Tab' && ref.current) {
            const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
            const first = items[0];
            const last = items[items.length - 1];
            if (!first || !last) return;
            if (e.shiftKey && document.activeElement === first) {
              e.preventDefault();
              last.focus();
            } else if (!e.shiftKey && document.activeElement === last) {
              e.preventDefault();
              first.focus();
            }
          }
        }}
      >
        <h2 id={titleId} className="dialog-title">
          {props.title}
        </h2>
        <div className="dialog-body">{props.children}</div>
        {props.footer ? <div className="dialog-footer">{props.footer}</div> : null}
      </div>
    </div>
  );
}

/** A question with OK and Cancel (the guide's "設定を反映しますか。" popup is one). */
export function ConfirmDialog(props: {
  readonly title: string;
  readonly message: ReactNode;
  readonly okLabel: string;
  readonly cancelLabel: string;
  readonly onOk: () => void;
  readonly onCancel: () => void;
  readonly busy?: boolean;
  readonly okDisabled?: boolean;
  readonly children?: ReactNode;
}) {
  return (
    <Dialog
      title={props.title}
      role="alertdialog"
      onDismiss={props.busy ? undefined : props.onCancel}
      footer={
        <>
          <button type="button" className="primary" data-autofocus onClick={props.onOk} disabled={props.busy || props.okDisabled}>
            {props.okLabel}
          </button>
          <button type="button" onClick={props.onCancel} disabled={props.busy}>
            {props.cancelLabel}
          </button>
        </>
      }
    >
      <p className="dialog-message">{props.message}</p>
      {props.children}
    </Dialog>
  );
}

/** A message with one OK button (results, refusals). */
export function MessageDialog(props: { readonly title: string; readonly okLabel: string; readonly onClose: () => void; readonly children: ReactNode }) {
  return (
    <Dialog
      title={props.title}
      role="alertdialog"
      onDismiss={props.onClose}
      footer={
        <button type="button" className="primary" onClick={props.onClose}>
          {props.okLabel}
        </button>
      }
    >
      {props.children}
    </Dialog>
  );
}

/** A small form in a dialog: Enter or OK submits, Cancel or Escape leaves. */
export function FormDialog(props: {
  readonly title: string;
  readonly okLabel: string;
  readonly cancelLabel: string;
  readonly onSubmit: () => void;
  readonly onCancel: () => void;
  readonly busy?: boolean;
  readonly children: ReactNode;
}) {
  return (
    <Dialog
      title={props.title}
      onDismiss={props.busy ? undefined : props.onCancel}
      footer={
        <>
          <button type="button" className="primary" disabled={props.busy} onClick={props.onSubmit}>
            {props.okLabel}
          </button>
          <button type="button" disabled={props.busy} onClick={props.onCancel}>
            {props.cancelLabel}
          </button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          props.onSubmit();
        }}
      >
        {props.children}
        <button type="submit" hidden />
      </form>
    </Dialog>
  );
}
