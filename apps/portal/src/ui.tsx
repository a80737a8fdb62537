import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';
import { useI18n } from './i18n';
import { navigated } from './router';

/** An error from /v1 with its message (and the fields it names, when the message does not already), announced to screen readers. */
export function ErrorAlert({ error }: { error: unknown }) {
  const { t, lang } = useI18n();
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  return (
    <div class="alert alert-error" role="alert" data-testid="error-alert">
      <strong>{t('error.title')}{api ? ` (${api.code})` : ''}{lang === 'fr' ? ' :' : ':'}</strong> {error instanceof Error ? error.message : String(error)}
      {api?.details?.length && !api.details.every((d) => d.message && api.message.includes(d.message)) ? (
        <ul>
          {api.details.map((d, i) => (
            <li key={i}>{d.field ? `${d.field}: ` : ''}{d.message}</li>
          ))}
        </ul>
      ) : null}
      {api?.requestId ? <div class="muted">{t('error.request_id')}: <code>{api.requestId}</code></div> : null}
    </div>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return <div class="alert alert-ok" role="status">{children}</div>;
}

export function Loading() {
  const { t } = useI18n();
  return <p class="muted" role="status">{t('common.loading')}</p>;
}

/**
 * The page heading takes focus after each move inside the portal, so keyboard and screen-reader
 * users land on the new content; on arrival focus stays at the top (skip link, header).
 */
export function PageTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (navigated) ref.current?.focus();
  }, []);
  return <h1 tabIndex={-1} ref={ref}>{children}</h1>;
}

/**
 * A button that asks first, in a native modal dialog: focus moves into it, Escape cancels,
 * and focus returns to the button.
 */
export function ConfirmButton(props: { label: string; question: string; onConfirm: () => void; danger?: boolean; disabled?: boolean; testid?: string }) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  return (
    <>
      <button type="button" class={props.danger ? 'danger' : ''} disabled={props.disabled} data-testid={props.testid} onClick={() => dialog.current?.showModal()}>
        {props.label}
      </button>
      <dialog ref={dialog} aria-label={props.label}>
        <p>{props.question}</p>
        <div class="actions">
          <button type="button" onClick={() => dialog.current?.close()}>{t('common.cancel')}</button>
          <button
            type="button"
            class={props.danger ? 'danger' : 'primary'}
            onClick={() => {
              dialog.current?.close();
              props.onConfirm();
            }}
          >
            {t('common.confirm')} : {props.label}
          </button>
        </div>
      </dialog>
    </>
  );
}

export function CopyButton({ text }: { text: string }) {
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => setDone(true));
      }}
    >
      {done ? t('common.copied') : t('common.copy')}
    </button>
  );
}

export function Json({ value, label }: { value: unknown; label: string }) {
  return (
    <pre class="json" tabIndex={0} aria-label={label}>
      <code>{JSON.stringify(value, null, 2)}</code>
    </pre>
  );
}

/** A definition list of label/value pairs: reads well on a phone and to a screen reader. */
export function Facts({ items }: { items: [string, ComponentChildren][] }) {
  return (
    <dl class="facts">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
