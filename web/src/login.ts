// The login page: username and password to `POST /api/session`, and the language switch.

import { ApiError, type User, login } from './api';
import { h } from './dom';
import { languageSwitch } from './lang/switch';
import { t } from './messages';

export function loginPage(onSignedIn: (user: User) => void, typed = ''): HTMLElement {
  const username = h('input', { name: 'username', id: 'username', autocomplete: 'username', required: true, value: typed });
  const password = h('input', { name: 'password', id: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('p', { class: 'error', id: 'login-error', role: 'alert' });
  const submit = h('button', { type: 'submit' }, t('login.sign_in'));
  const form = h(
    'form',
    { class: 'login', id: 'login' },
    h('div', { class: 'login-head' }, h('h1', {}, 'Bonifica'), languageSwitch()),
    h('p', { class: 'muted' }, t('app.tagline')),
    h('label', {}, t('login.username'), username),
    h('label', {}, t('login.password'), password),
    submit,
    message,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    message.textContent = '';
    submit.disabled = true;
    try {
      onSignedIn(await login(username.value.trim(), password.value));
    } catch (err) {
      message.textContent = err instanceof ApiError && err.status === 401 ? t('login.wrong') : (err as Error).message;
    } finally {
      submit.disabled = false;
    }
  });
  return h('div', { class: 'login-page' }, form);
}
