// The audit log page, for the coordinator and the defence liaison: whether the hash chain
// holds, the anchor to keep outside Bonifica and a check of one kept earlier, and every
// change to the official picture, newest first, with who made it, when, and the record
// before and after. Reads `/api/audit`, which walks the whole chain on every call.

import { ApiError, type AuditEntry, type AuditPage, auditPage, newestAudit } from './api';
import { h } from './dom';
import { moment, num, t } from './messages';

/** Entries a page. */
const PAGE = 50;

export async function auditLogPage(): Promise<HTMLElement> {
  const status = h('div', { class: 'card', id: 'audit-status', 'data-state': 'loading' }, h('p', { class: 'muted' }, t('loading')));
  const entries = h('div', { id: 'audit-entries' });
  const root = h(
    'section',
    { class: 'page audit-page', id: 'audit-page' },
    h('h2', {}, t('audit.title')),
    h('p', { class: 'muted' }, t('audit.intro')),
    status,
    anchorCheck(),
    entries,
  );

  /**
   * Shows the page of entries ending at `last` (the newest when `null`), in one call: the
   * server walks the whole chain on each.
   */
  const show = async (last: number | null) => {
    let page: AuditPage;
    try {
      page = last === null ? await newestAudit(PAGE) : await auditPage(Math.max(0, last - PAGE), Math.max(1, Math.min(PAGE, last)));
    } catch (err) {
      const reason = err instanceof ApiError ? err.detail || err.message : (err as Error).message;
      // Only a 409 says the chain does not hold; a refusal or a failure says what it is.
      const broken = err instanceof ApiError && err.status === 409;
      status.dataset.state = broken ? 'broken' : 'error';
      status.replaceChildren(
        broken ? h('p', { class: 'error', id: 'audit-broken' }, t('audit.broken', { reason })) : h('p', { class: 'error', id: 'audit-error' }, reason),
      );
      entries.replaceChildren();
      return;
    }
    status.dataset.state = 'intact';
    status.dataset.total = String(page.total);
    status.replaceChildren(
      h('p', { id: 'audit-intact' }, t('audit.intact', { n: page.total })),
      h('p', {}, t('audit.anchor')),
      h('input', { id: 'audit-anchor', class: 'anchor', readonly: true, value: page.anchor, onfocus: (e: Event) => (e.target as HTMLInputElement).select() }),
    );
    entries.replaceChildren(table(page, show));
  };
  await show(null);
  return root;
}

/** The form that checks an anchor kept earlier. */
function anchorCheck(): HTMLElement {
  const input = h('input', { id: 'audit-check-input', name: 'anchor', placeholder: 'SEQ:HASH', autocomplete: 'off', spellcheck: false });
  const result = h('p', { id: 'audit-check-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card audit-check', id: 'audit-check' },
    h('label', { for: 'audit-check-input' }, t('audit.check')),
    input,
    h('button', { type: 'submit' }, t('audit.check_button')),
    result,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const anchor = input.value.trim();
    if (!anchor) return;
    result.className = 'muted';
    result.dataset.state = 'checking';
    result.textContent = t('loading');
    auditPage(0, 1, anchor)
      .then(() => {
        result.className = 'ok';
        result.dataset.state = 'held';
        result.textContent = t('audit.held', { seq: anchor.split(':')[0] });
      })
      .catch((err: Error) => {
        result.className = 'error';
        result.dataset.state = 'not-held';
        const reason = err instanceof ApiError ? err.detail || err.message : err.message;
        result.textContent = t('audit.not_held', { reason });
      });
  });
  return form;
}

function table(page: AuditPage, show: (last: number | null) => Promise<void>): HTMLElement {
  if (!page.entries.length) return h('p', { class: 'muted', id: 'audit-empty' }, t('audit.empty'));
  const first = page.entries[0].seq;
  const last = page.entries[page.entries.length - 1].seq;
  const nav = h(
    'div',
    { class: 'audit-nav' },
    h('button', { type: 'button', class: 'secondary', id: 'audit-newer', disabled: last >= page.total, onclick: () => void show(last + PAGE) }, t('audit.newer')),
    h('span', { class: 'muted', id: 'audit-range' }, t('audit.range', { from: num(first), to: num(last), n: page.total })),
    h('button', { type: 'button', class: 'secondary', id: 'audit-older', disabled: first <= 1, onclick: () => void show(first - 1) }, t('audit.older')),
  );
  const rows = [...page.entries].reverse().map(row);
  return h(
    'div',
    {},
    nav,
    h(
      'table',
      { class: 'list audit' },
      h('thead', {}, h('tr', {}, ...(['seq', 'at', 'actor', 'action', 'entity', 'change'] as const).map((c) => h('th', {}, t(`audit.col.${c}`))))),
      h('tbody', {}, ...rows),
    ),
  );
}

function row(e: AuditEntry): HTMLElement {
  const change = h(
    'details',
    {},
    h('summary', {}, t('audit.show')),
    ...(e.before !== null && e.before !== undefined ? [h('h5', {}, t('audit.before')), json(e.before)] : []),
    ...(e.after !== null && e.after !== undefined ? [h('h5', {}, t('audit.after')), json(e.after)] : []),
    h('p', { class: 'muted hash' }, `${t('audit.hash')} ${e.hash}`),
  );
  return h(
    'tr',
    { 'data-seq': e.seq, 'data-action': e.action, 'data-entity': e.entity },
    h('td', { 'data-label': t('audit.col.seq') }, num(e.seq)),
    h('td', { 'data-label': t('audit.col.at') }, moment(e.at)),
    h('td', { 'data-label': t('audit.col.actor') }, e.actor),
    h('td', { 'data-label': t('audit.col.action') }, e.action),
    h('td', { 'data-label': t('audit.col.entity'), title: e.entity_id }, `${e.entity.replace(/_/g, ' ')} ${codeOf(e) ?? e.entity_id}`),
    h('td', { 'data-label': t('audit.col.change') }, change),
  );
}

/** The code a person knows the record by (`HA-0042`, `RPT-000004`), when the entry carries it. */
function codeOf(e: AuditEntry): string | null {
  for (const side of [e.after, e.before]) {
    if (!side || typeof side !== 'object') continue;
    const o = side as Record<string, unknown>;
    const body = (o.body ?? {}) as Record<string, unknown>;
    const code = o.code ?? o.hazard_area_code ?? body.code;
    if (typeof code === 'string' && code) return code;
  }
  return null;
}

/** A record as indented JSON, cut short when long. */
function json(value: unknown): HTMLElement {
  const text = JSON.stringify(value, null, 2);
  const shown = text.length > 4000 ? `${text.slice(0, 4000)}\n…` : text;
  return h('pre', { class: 'json' }, shown);
}
