// The language switch of the header and the login page: EN | FR, the current one pressed.
// Choosing one changes the language for this browser (see messages.ts), which redraws the page.

import { h } from '../dom';
import { LANG, LANGS, t, setLang } from '../messages';

export function languageSwitch(): HTMLElement {
  return h(
    'span',
    { class: 'lang-switch', id: 'lang-switch', role: 'group', 'aria-label': t('app.language') },
    ...LANGS.flatMap((lang, i) => [
      i ? h('span', { class: 'lang-sep', 'aria-hidden': 'true' }, '|') : null,
      h(
        'button',
        { type: 'button', class: 'lang', lang, 'data-lang': lang, 'aria-pressed': lang === LANG ? 'true' : 'false', onclick: () => setLang(lang) },
        lang.toUpperCase(),
      ),
    ]),
  );
}
