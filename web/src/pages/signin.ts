// Sign-in: a token, checked with GET /v1/me, kept in sessionStorage.
import { api, ApiError, setToken } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import type { MessageKey } from '../i18n';
import type { Token } from '../types';
import { pageTitle } from '../ui';

export function signInPage(
  root: HTMLElement,
  notice: MessageKey | null,
  signedIn: (me: Token) => void,
): void {
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    placeholder: 'sgm_…',
    'data-testid': 'token-input',
  });
  const status = h(
    'p',
    { class: notice ? 'notice' : 'muted', role: 'alert', 'data-testid': 'signin-message' },
    notice ? t(notice) : '',
  );
  const button = h('button', { type: 'submit', 'data-testid': 'sign-in' }, t('signin.submit'));
  const form = h(
    'form',
    { class: 'card signin', 'data-testid': 'signin-form' },
    h('label', { for: 'token' }, t('signin.token')),
    input,
    h(
      'p',
      { class: 'muted' },
      t('signin.help'),
      ' ',
      h('code', null, 'segmenta token create --role analyst'),
    ),
    button,
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    button.disabled = true;
    status.className = 'muted';
    status.textContent = t('signin.checking');
    try {
      const me = await api.me(token);
      setToken(token);
      signedIn(me);
    } catch (error) {
      status.className = 'error';
      status.textContent =
        error instanceof ApiError && error.status === 401
          ? t('signin.rejected')
          : error instanceof Error
            ? error.message
            : String(error);
      button.disabled = false;
      input.select();
    }
  });
  root.append(pageTitle(t('signin.title')), form);
  input.focus();
}
