// The login page: username and password to `POST /api/session`.

import { ApiError, type User, login } from './api';
import { h } from './dom';

export function loginPage(onSignedIn: (user: User) => void): HTMLElement {
  const username = h('input', { name: 'username', id: 'username', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', id: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('p', { class: 'error', id: 'login-error', role: 'alert' });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'login', id: 'login' },
    h('h1', {}, 'Bonifica'),
    h('p', { class: 'muted' }, 'Land release and reconstruction, one regional picture.'),
    h('label', {}, 'Username', username),
    h('label', {}, 'Password', password),
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
      message.textContent =
        err instanceof ApiError && err.status === 401 ? 'Wrong username or password.' : (err as Error).message;
    } finally {
      submit.disabled = false;
    }
  });
  return h('div', { class: 'login-page' }, form);
}
