// The search box of the header: codes and names of hazard areas, assets, settlements,
// teams, crews and organisations, searched on the server (`GET /api/search`), which applies
// the user's access rules. Choosing a hit opens the map on it, with its details when the
// map holds it, or the record's form for an organisation.

import { get } from './api';
import { h } from './dom';
import { option, t } from './messages';

export interface Hit {
  kind: 'hazard_area' | 'asset' | 'settlement' | 'team' | 'crew' | 'organisation';
  href: string;
  id: string;
  code: string;
  label: string;
  bbox: [number, number, number, number] | null;
}

/** The window event that opens a record on the map, its detail a `Hit` (any page may send it). */
export const OPEN_RECORD = 'bonifica:open-record';

/** Hits at the most in the list under the box. */
const SHOWN = 12;
/** Quiet time after typing before the server is asked, ms. */
const DEBOUNCE_MS = 200;

export function searchHits(q: string, limit = SHOWN): Promise<Hit[]> {
  return get<{ items: Hit[] }>(`/api/search?q=${encodeURIComponent(q)}&limit=${limit}`).then((b) => b.items);
}

/** The box and its list; `open` is called with the hit chosen. */
export function searchBox(open: (hit: Hit) => void): HTMLElement {
  const input = h('input', {
    id: 'search',
    type: 'search',
    placeholder: t('search.placeholder'),
    'aria-label': t('search.placeholder'),
    autocomplete: 'off',
    spellcheck: false,
  }) as HTMLInputElement;
  const list = h('ul', { id: 'search-hits', class: 'search-hits', role: 'listbox', hidden: true });
  let timer = 0;
  let asked = 0;
  let hits: Hit[] = [];
  let active = -1;
  const close = () => {
    list.hidden = true;
    active = -1;
  };
  const choose = (hit: Hit) => {
    close();
    input.value = hit.code;
    open(hit);
  };
  const mark = () => list.querySelectorAll('li').forEach((li, i) => li.classList.toggle('active', i === active));
  const draw = (q: string) => {
    list.replaceChildren(
      ...(hits.length
        ? hits.map((hit) =>
            h(
              'li',
              { role: 'option', 'data-kind': hit.kind, 'data-code': hit.code, onmousedown: (e: Event) => (e.preventDefault(), choose(hit)) },
              h('strong', {}, hit.code),
              ' ',
              h('span', {}, hit.label && hit.label !== hit.code ? hit.label : ''),
              h('span', { class: 'muted' }, ` · ${option('record', hit.kind)}`),
            ),
          )
        : [h('li', { class: 'muted', id: 'search-none' }, t('search.none', { q }))]),
    );
    list.hidden = false;
  };
  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) return close();
    timer = window.setTimeout(async () => {
      const ticket = ++asked;
      try {
        const found = await searchHits(q);
        if (ticket !== asked) return;
        hits = found;
        active = -1;
        draw(q);
      } catch (err) {
        if (ticket !== asked) return;
        list.replaceChildren(h('li', { class: 'error' }, (err as Error).message));
        list.hidden = false;
      }
    }, DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (e) => {
    if (list.hidden) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = Math.max(0, Math.min(hits.length - 1, active + (e.key === 'ArrowDown' ? 1 : -1)));
      mark();
    } else if (e.key === 'Enter' && hits.length) {
      e.preventDefault();
      choose(hits[Math.max(0, active)]);
    } else if (e.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => window.setTimeout(close, 150));
  return h('div', { class: 'search', role: 'search' }, input, list);
}
