import { useEffect, useId, useRef, type ReactNode } from 'react';

type DialogProps = {
  open: boolean;
  /** Escape and the close button call this; the caller decides (e.g. not while saving). */
  onClose: () => void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  /** Buttons, right-aligned under the body. */
  footer?: ReactNode;
  size?: 'sm' | 'md';
};

/**
 * A modal built on the native <dialog>: showModal() gives the top layer, an inert page behind
 * it and Escape handling for free. Contents mount only while open, so forms start fresh.
 */
export function Dialog(props: DialogProps) {
  return props.open ? <OpenDialog {...props} /> : null;
}

function OpenDialog({ onClose, title, description, children, footer, size = 'md' }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  const closing = useRef(false);
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  });

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closing.current = false;
    if (!dialog.open) dialog.showModal();
    initialFocus(dialog)?.focus();
    // The browser may close a modal by itself (a repeated Escape); keep React's state in step.
    const onNativeClose = () => {
      if (!closing.current) onCloseRef.current();
    };
    dialog.addEventListener('close', onNativeClose);
    return () => {
      closing.current = true;
      dialog.removeEventListener('close', onNativeClose);
      if (dialog.open) dialog.close();
      opener?.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={`dialog dialog--${size}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <div className="dialog__header">
        <h2 className="dialog__title" id={titleId}>
          {title}
        </h2>
        <button type="button" className="dialog__close" aria-label="Close" onClick={onClose}>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      {description ? (
        <div className="dialog__description" id={descriptionId}>
          {description}
        </div>
      ) : null}
      <div className="dialog__body">{children}</div>
      {footer ? <div className="dialog__footer">{footer}</div> : null}
    </dialog>
  );
}

/**
 * React's autoFocus fires before showModal() makes the contents focusable, so the first field
 * (or an element marked data-autofocus) is focused here instead of the header's close button.
 */
function initialFocus(dialog: HTMLDialogElement): HTMLElement | null {
  return dialog.querySelector<HTMLElement>(
    '[data-autofocus], input:not([disabled]), select:not([disabled]), textarea:not([disabled])',
  );
}
