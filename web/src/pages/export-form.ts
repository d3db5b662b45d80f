// The audience export (POST /v1/exports; analysts and admins), on a segment's page and
// for an experiment's variants: format, hashed PII, consent. Saved through a Blob (the
// token travels in a header); the counts the server sends are said; a refusal (too few
// customers, no consent attribute) is shown as a message.
import { ApiError, downloadExport, type ExportResult } from '../api';
import { h } from '../dom';
import { fmtInt, t } from '../i18n';
import type { MessageKey } from '../i18n';
import type { Audience, ExportFormat } from '../types';
import { errorBox } from '../ui';

const FORMATS: ExportFormat[] = ['csv', 'jsonl', 'parquet'];

// `audience` is asked at each click (a variant picker may sit in `before`).
export function exportForm(audience: () => Audience, ...before: HTMLElement[]): HTMLElement {
  const status = h('p', { class: 'muted', 'data-testid': 'export-status', 'aria-live': 'polite' });
  const format = h(
    'select',
    { id: 'export-format', 'data-testid': 'export-format' },
    FORMATS.map((value) => h('option', { value }, t(`export.format_${value}` as MessageKey))),
  );
  const checkbox = (id: string, label: MessageKey) => {
    const box = h('input', { type: 'checkbox', id, 'data-testid': id });
    return [box, h('label', { class: 'check', for: id }, box, ' ', t(label))] as const;
  };
  const [hashPii, hashLabel] = checkbox('export-hash-pii', 'export.hash_pii');
  const [noConsent, noConsentLabel] = checkbox('export-no-consent', 'export.include_no_consent');
  const button = h('button', { type: 'submit', 'data-testid': 'export-button' }, t('members.export'));
  const form = h(
    'form',
    { class: 'export-form', 'data-testid': 'export-form' },
    before,
    h('label', { for: 'export-format' }, t('export.format')),
    format,
    hashLabel,
    noConsentLabel,
    button,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    status.textContent = t('members.exporting');
    try {
      const result = await downloadExport({
        ...audience(),
        format: format.value as ExportFormat,
        hash_pii: hashPii.checked,
        include_no_consent: noConsent.checked,
      });
      status.replaceChildren(exportSummary(result, noConsent.checked));
    } catch (error) {
      status.replaceChildren(exportRefusal(error) ?? '');
    } finally {
      button.disabled = false;
    }
  });
  return h('div', { class: 'export' }, form, status);
}

function exportSummary(result: ExportResult, includedNoConsent: boolean): HTMLElement {
  const parts = [t('members.exported', { file: result.filename })];
  if (result.customers !== null) {
    parts.push(t('export.customers', { count: fmtInt(result.customers) }));
  }
  if (!includedNoConsent && result.leftOutNoConsent) {
    parts.push(t('export.left_out', { count: fmtInt(result.leftOutNoConsent) }));
  }
  return h(
    'span',
    {
      'data-testid': 'export-done',
      'data-file': result.filename,
      'data-customers': result.customers ?? undefined,
      'data-left-out': result.leftOutNoConsent ?? undefined,
    },
    parts.join(' '),
  );
}

// A refusal in the reader's language, with the server's own explanation after it.
function exportRefusal(error: unknown): HTMLElement | null {
  if (!(error instanceof ApiError) || (error.code !== 'too_small' && error.status !== 400)) {
    return errorBox(error, 'export-error');
  }
  const key: MessageKey = error.code === 'too_small' ? 'export.too_small' : 'export.refused';
  return h(
    'p',
    { class: 'error', role: 'alert', 'data-testid': 'export-error', 'data-code': error.code },
    t(key),
    ' ',
    h('span', { class: 'detail' }, error.message),
  );
}
