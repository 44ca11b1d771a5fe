// Field reports in the browser: the inbox of what the signed-in role has to do (submitted
// reports for an operations manager, verified ones for a coordinator or the defence
// liaison, drafts and rejected ones for a team leader), a report's detail with its worked
// polygon on a small map and every transition, and the workflow's actions. Who may do what
// is the server's to decide: its 403 or 409 shows beside the action.

import maplibregl, { type GeoJSONSource } from 'maplibre-gl';
import {
  ApiError,
  type ApprovalEffect,
  type Report,
  type ReportAction,
  type ReportKind,
  type ReportState,
  type Role,
  hazardArea,
  reportGet,
  reportTagged,
  reportTransition,
  reportsList,
} from './api';
import { forget } from './data';
import { h, num } from './dom';
import { baseStyle, bbox } from './map/layers';
import { REGION_BOUNDS } from './map/view';
import { capital, day, label, moment, option, t } from './messages';
import { KINDS, connected, outboxPanel, reportEditPage, reportFormPage } from './report-form';
import { session } from './session';

/**
 * `#/reports` (the inbox), `#/reports/new[/<client id>]` (the form), `#/reports/<id>` (one
 * report), `#/reports/<id>/edit` (a draft corrected).
 */
export async function reportsPage(args: string[]): Promise<HTMLElement> {
  if (args[0] === 'new') return reportFormPage(args.slice(1));
  if (args[0] && args[1] === 'edit') {
    const { body: report, etag } = await reportTagged(args[0]);
    return reportEditPage({ report, etag });
  }
  if (args[0]) return detailPage(args[0]);
  return inboxPage();
}

const STATES: ReportState[] = ['draft', 'submitted', 'verified', 'approved', 'rejected'];

/** What waits for each role's hand; a viewer has nothing to do. */
const TO_DO: Record<Role, ReportState[]> = {
  team_leader: ['draft', 'rejected'],
  operations_manager: ['submitted'],
  coordinator: ['verified'],
  defence_liaison: ['verified'],
  viewer: [],
};

/** The actions each role ever takes; whether it may take one on this report, the server says. */
const ACTIONS_OF: Record<Role, ReportAction[]> = {
  team_leader: ['submit', 'revise'],
  operations_manager: ['verify', 'reject'],
  coordinator: ['approve', 'reject'],
  // On restricted land the defence liaison also stands for the unit and its organisation.
  defence_liaison: ['submit', 'verify', 'approve', 'reject', 'revise'],
  viewer: [],
};

/** Who files reports: team leaders, and the defence liaison on restricted land. */
const FILES: Role[] = ['team_leader', 'defence_liaison'];

/** The workflow's arrows out of each state (docs/reports.md). */
const NEXT: Record<ReportState, ReportAction[]> = {
  draft: ['submit'],
  submitted: ['verify', 'reject'],
  verified: ['approve', 'reject'],
  rejected: ['revise'],
  approved: [],
};

interface Tab {
  id: string;
  text: string;
  states: ReportState[] | null;
}

function tabs(role: Role): Tab[] {
  const todo = TO_DO[role] ?? [];
  return [
    ...(todo.length ? [{ id: 'todo', text: t('inbox.todo'), states: todo }] : []),
    ...STATES.map((s) => ({ id: s, text: capital(option('state', s)), states: [s] })),
    { id: 'all', text: t('inbox.all'), states: null },
  ];
}

function inboxPage(): HTMLElement {
  const user = session.user;
  const role = (user?.role ?? 'viewer') as Role;
  const choices = tabs(role);
  const saved = sessionStorage.getItem('bonifica.inbox.tab');
  let current = choices.find((c) => c.id === saved) ?? choices[0];
  const kind = h(
    'select',
    { id: 'inbox-kind', 'aria-label': t('field.kind') },
    h('option', { value: '' }, t('inbox.every_kind')),
    ...(Object.keys(KINDS) as ReportKind[]).map((k) => h('option', { value: k }, option('kind', k))),
  );
  const bar = h('div', { class: 'tabs', id: 'inbox-tabs', role: 'tablist' });
  const list = h('div', { id: 'inbox' });
  const renderTabs = () =>
    bar.replaceChildren(
      ...choices.map((c) =>
        h(
          'button',
          {
            type: 'button',
            role: 'tab',
            class: c.id === current.id ? 'tab active' : 'tab',
            'aria-selected': c.id === current.id ? 'true' : 'false',
            'data-tab': c.id,
            onclick: () => {
              current = c;
              sessionStorage.setItem('bonifica.inbox.tab', c.id);
              renderTabs();
              void load();
            },
          },
          c.text,
        ),
      ),
    );
  const load = async () => {
    list.dataset.loading = 'true';
    list.replaceChildren(h('p', { class: 'muted' }, t('inbox.loading')));
    try {
      const filters = (state: string): Record<string, string> => (kind.value ? { state, kind: kind.value } : { state });
      const states = current.states ?? [''];
      const pages = await Promise.all(states.map((s) => reportsList(filters(s))));
      const seen = new Set<string>();
      const reports: Report[] = [];
      const total = pages.reduce((s, p) => s + p.total, 0);
      let nexts = pages.map((p) => p.next);
      const todo = current.id === 'todo';
      const show = (more: Report[]) => {
        reports.push(...more.filter((r) => !seen.has(r.id) && (seen.add(r.id), true)));
        reports.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
        // More pages are read by key, following each list's `next`.
        const loadMore = nexts.some(Boolean)
          ? async () => {
              const more = await Promise.all(nexts.map((n, i) => (n ? reportsList(filters(states[i]), 200, n) : null)));
              nexts = more.map((p) => p?.next ?? null);
              show(more.flatMap((p) => p?.items ?? []));
            }
          : null;
        list.replaceChildren(inboxTable(reports, total, todo, loadMore));
      };
      show(pages.flatMap((p) => p.items));
    } catch (err) {
      list.replaceChildren(h('p', { class: 'error' }, (err as Error).message));
    } finally {
      list.dataset.loading = 'false';
    }
  };
  kind.addEventListener('change', () => void load());
  renderTabs();
  void load();
  return h(
    'section',
    { class: 'page reports-page', id: 'reports' },
    h(
      'div',
      { class: 'reports-head' },
      h('h2', {}, t('inbox.title')),
      FILES.includes(role) ? h('a', { class: 'button', href: '#/reports/new', id: 'new-report' }, t('inbox.new')) : null,
    ),
    user ? outboxPanel(user.username) : null,
    bar,
    h('div', { class: 'inbox-filters' }, kind),
    list,
  );
}

function inboxTable(reports: Report[], total: number, todo: boolean, loadMore: (() => Promise<void>) | null): HTMLElement {
  if (!reports.length) return h('p', { class: 'muted', id: 'inbox-empty' }, t(todo ? 'inbox.nothing_to_do' : 'inbox.none'));
  const open = (r: Report) => (location.hash = `#/reports/${encodeURIComponent(r.id)}`);
  return h(
    'div',
    {},
    h('p', { class: 'muted', id: 'inbox-total' }, total > reports.length ? t('inbox.first', { shown: reports.length, total }) : t('inbox.count', { n: total })),
    h(
      'table',
      { class: 'list inbox' },
      h(
        'thead',
        {},
        h('tr', {}, ...['code', 'kind', 'subject', 'unit', 'date', 'state'].map((c) => h('th', {}, label(c)))),
      ),
      h(
        'tbody',
        {},
        ...reports.map((r) =>
          h(
            'tr',
            { 'data-id': r.id, 'data-code': r.code, 'data-state': r.state, onclick: () => open(r) },
            h('td', { 'data-label': label('code') }, h('a', { href: `#/reports/${encodeURIComponent(r.id)}` }, r.code)),
            h('td', { 'data-label': label('kind') }, option('kind', r.kind)),
            h('td', { 'data-label': label('subject') }, r.hazard_area_code ?? r.asset_code ?? '–'),
            h('td', { 'data-label': label('unit') }, r.unit_code ?? '–'),
            h('td', { 'data-label': label('date') }, day(r.date)),
            h('td', { 'data-label': label('state') }, stateBadge(r.state)),
          ),
        ),
      ),
    ),
    loadMore ? moreButton(loadMore) : null,
  );
}

/** The button that reads the inbox's next page (and says when it cannot). */
function moreButton(loadMore: () => Promise<void>): HTMLElement {
  const button = h('button', { type: 'button', class: 'secondary', id: 'inbox-more' }, t('inbox.more'));
  button.addEventListener('click', () => {
    button.disabled = true;
    button.textContent = t('inbox.loading');
    loadMore().catch((err: Error) => {
      button.replaceWith(h('p', { class: 'error' }, err.message));
    });
  });
  return button;
}

function stateBadge(state: ReportState): HTMLElement {
  return h('span', { class: `state state-${state}`, 'data-state': state }, option('state', state));
}

// ---- One report -----------------------------------------------------------------------------

let detailMap: maplibregl.Map | null = null;

async function detailPage(id: string): Promise<HTMLElement> {
  const root = h('section', { class: 'page reports-page', id: 'report-detail', 'data-id': id });
  render(root, await reportGet(id), null);
  return root;
}

function render(root: HTMLElement, report: Report, effect: ApprovalEffect | null, message?: string): void {
  root.dataset.state = report.state;
  const mapBox = h('div', { class: 'report-map small', id: 'report-detail-map' });
  root.replaceChildren(
    h('a', { href: '#/reports', class: 'back' }, `← ${t('inbox.title')}`),
    h('div', { class: 'reports-head' }, h('h2', {}, `${report.code} · ${option('kind', report.kind)}`), h('span', { id: 'report-state' }, stateBadge(report.state))),
    ...(effect || message ? [effectBox(report, effect, message)] : []),
    h(
      'div',
      { class: 'report-columns' },
      h('div', {}, summaryTable(report), bodyTable(report.body), mapBox),
      h('div', {}, actionsBox(root, report), transitionsList(report), approvalsList(report)),
    ),
  );
  void detailMapOf(mapBox, report);
}

function summaryTable(r: Report): HTMLElement {
  const rows: [string, string | null][] = [
    ['hazard_area', r.hazard_area_code],
    ['asset', r.asset_code],
    ['unit', r.unit_code],
    ['date', day(r.date)],
    ['based_on_version', r.based_on_version === null || r.based_on_version === undefined ? null : String(r.based_on_version)],
    ['created_by', r.created_by ? `${r.created_by} · ${when(r.created_at)}` : null],
    ['restricted', r.restricted ? t('yes') : null],
  ];
  return h(
    'table',
    { class: 'props', id: 'report-summary' },
    ...rows.filter(([, v]) => v).map(([k, v]) => h('tr', { 'data-field': k }, h('th', {}, label(k)), h('td', {}, v))),
  );
}

/** Fields the summary or the map already show. */
const SHOWN_ELSEWHERE = new Set(['kind', 'hazard_area_id', 'team_id', 'crew_id', 'asset_id', 'date', 'worked', 'revised', 'client_id', 'submit', 'based_on_version']);

function bodyTable(body: Record<string, unknown>): HTMLElement {
  const rows = Object.entries(body ?? {})
    .filter(([k]) => !SHOWN_ELSEWHERE.has(k))
    .map(([k, v]) => h('tr', { 'data-field': k }, h('th', {}, label(k)), h('td', {}, value(k, v))));
  return h('table', { class: 'props', id: 'report-fields' }, ...rows);
}

function value(key: string, v: unknown): Node | string {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v === 'boolean') return v ? t('yes') : t('no');
  if (typeof v === 'number') return key.endsWith('_m2') ? `${num(v, 1)} m²` : num(v, 6);
  if (Array.isArray(v)) {
    if (!v.length) return t('none');
    const columns = [...new Set(v.flatMap((row) => (row && typeof row === 'object' ? Object.keys(row) : [])))];
    return h(
      'table',
      { class: 'sub' },
      h('tr', {}, ...columns.map((c) => h('th', {}, label(c)))),
      ...v.map((row) => h('tr', {}, ...columns.map((c) => h('td', {}, value(c, (row as Record<string, unknown>)[c]))))),
    );
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return option(key, String(v));
}

function transitionsList(r: Report): HTMLElement {
  return h(
    'div',
    { class: 'transitions' },
    h('h3', {}, t('detail.history')),
    h(
      'ol',
      { id: 'report-transitions' },
      ...(r.transitions ?? []).map((s) =>
        h(
          'li',
          { 'data-action': s.action },
          h('strong', {}, option('action', s.action)),
          ` ${s.from ? option('state', s.from) : '·'} → ${option('state', s.to)}`,
          h('br'),
          h('span', { class: 'muted' }, `${s.actor} (${option('role', s.role)}) · ${when(s.at)}`),
          s.comment ? h('blockquote', {}, s.comment) : null,
        ),
      ),
    ),
  );
}

function approvalsList(r: Report): HTMLElement | null {
  if (!r.approvals?.length) return null;
  return h(
    'div',
    { class: 'approvals' },
    h('h3', {}, t('detail.approvals')),
    h(
      'ul',
      { id: 'report-approvals' },
      ...r.approvals.map((a) => {
        const o = (a ?? {}) as Record<string, unknown>;
        const who = [o.approver ? option('approver', String(o.approver)) : null, o.actor ?? o.by, o.at ? when(String(o.at)) : null].filter(Boolean).join(' · ');
        return h('li', {}, who || JSON.stringify(a));
      }),
    ),
  );
}

function actionsBox(root: HTMLElement, report: Report): HTMLElement | null {
  const role = (session.user?.role ?? 'viewer') as Role;
  // The server says which steps this user may take; a report it has not sent yet (in the
  // outbox) falls back on the role's and the state's.
  const offered = report.actions ?? (NEXT[report.state] ?? []).filter((a) => (ACTIONS_OF[role] ?? []).includes(a));
  if (!offered.length) return null;
  const comment = h('textarea', { id: 'r-comment', rows: 3, placeholder: t('detail.comment.placeholder') });
  const message = h('p', { class: 'error', id: 'action-error', role: 'alert' });
  const buttons = offered.map((action) =>
    h('button', { type: 'button', id: `act-${action}`, 'data-action': action, class: action === 'reject' ? 'danger' : '' }, option('action', action)),
  );
  for (const button of buttons) {
    const action = button.dataset.action as ReportAction;
    button.addEventListener('click', async () => {
      message.textContent = '';
      const text = comment.value.trim();
      if (action === 'reject' && !text) {
        message.textContent = t('detail.comment.required');
        comment.classList.add('invalid');
        comment.focus();
        return;
      }
      for (const b of buttons) b.disabled = true;
      try {
        const answer = await reportTransition(report.id, action, text || undefined);
        if (action === 'approve') {
          // The register changed: the map fetches hazard areas and assets again when next shown.
          forget('hazard-areas');
          forget('assets');
        }
        const after = answer.report ?? (await reportGet(report.id));
        const note = action === 'approve' && after.state !== 'approved' ? t('detail.co_approval') : t('detail.done', { action: option('action', action), state: option('state', after.state) });
        render(root, after, answer.effect ?? null, note);
      } catch (err) {
        message.textContent = problemText(err, action);
        for (const b of buttons) b.disabled = false;
      }
    });
  }
  const edit = report.state === 'draft' && FILES.includes(role) ? h('a', { class: 'button secondary', id: 'edit-draft', href: `#/reports/${encodeURIComponent(report.id)}/edit` }, t('detail.edit')) : null;
  return h(
    'div',
    { class: 'report-actions', id: 'report-actions' },
    h('h3', {}, t('detail.actions')),
    edit,
    h('label', { for: 'r-comment' }, t('detail.comment')),
    comment,
    h('div', { class: 'actions' }, ...buttons),
    message,
  );
}

/** The server's refusal in words: who may not, or which state does not allow the action. */
function problemText(err: unknown, action: ReportAction): string {
  if (!(err instanceof ApiError)) return String(err);
  const detail = [err.detail || err.title, ...err.errors.map((e) => `${e.field}: ${e.problem}`)].filter(Boolean).join(' — ');
  if (err.status === 403) return t('detail.forbidden', { action: option('action', action), detail });
  if (err.status === 409) return t('detail.conflict', { detail });
  if (err.status === 0) return t('detail.offline');
  return detail;
}

function effectBox(report: Report, effect: ApprovalEffect | null, message?: string): HTMLElement {
  const area = effect?.hazard_area;
  const assets = effect?.unblocked_assets ?? [];
  return h(
    'div',
    { class: 'effect', id: 'approval-effect', role: 'status' },
    message ? h('p', { id: 'action-done' }, message) : null,
    effect && effect.released_m2 !== undefined && effect.released_m2 !== null
      ? h('p', { id: 'effect-released', 'data-m2': effect.released_m2 }, t('effect.released', { area: num(effect.released_m2, 1), code: area?.code ?? report.hazard_area_code ?? '' }))
      : null,
    area
      ? h(
          'p',
          { id: 'effect-hazard', 'data-status': area.status, 'data-version': area.version },
          t('effect.hazard', {
            code: area.code,
            status: [option('status', area.status), area.closure_reason ? option('closure_reason', area.closure_reason) : null].filter(Boolean).join(', '),
            classification: area.classification,
            remaining: num(area.remaining_m2, 1),
            version: area.version,
          }),
        )
      : null,
    effect
      ? h(
          'p',
          { id: 'effect-assets' },
          assets.length ? t('effect.unblocked', { n: assets.length }) : t('effect.none_unblocked'),
          ...assets.map((a, i) => [i ? ', ' : ' ', h('span', { class: 'code' }, a.code)]).flat(),
        )
      : null,
  );
}

/** The report's hazard area (as it stands now) and its worked or revised polygon on a small map. */
async function detailMapOf(box: HTMLElement, report: Report): Promise<void> {
  const drawn = (report.body?.worked ?? report.body?.revised ?? null) as GeoJSON.Geometry | null;
  const lon = report.body?.lon;
  const lat = report.body?.lat;
  const point: GeoJSON.Geometry | null = typeof lon === 'number' && typeof lat === 'number' ? { type: 'Point', coordinates: [lon, lat] } : null;
  const area = report.hazard_area_id ? await hazardArea(report.hazard_area_id).catch(() => null) : null;
  if (!drawn && !point && !area) {
    box.remove();
    return;
  }
  if (!(await connected(box))) return;
  detailMap?.remove();
  const map = new maplibregl.Map({ container: box, style: baseStyle(), bounds: REGION_BOUNDS, attributionControl: false, interactive: true, maxZoom: 19 });
  detailMap = map;
  map.on('load', () => {
    if (area) {
      (map.getSource('hazard-areas') as GeoJSONSource | undefined)?.setData({
        type: 'Feature',
        properties: { id: area.id, code: area.code, classification: area.classification, status: area.status },
        geometry: area.geometry,
      });
    }
    const shapes = [drawn, point].filter((g): g is GeoJSON.Geometry => g !== null);
    (map.getSource('draft') as GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features: shapes.map((geometry) => ({ type: 'Feature', properties: {}, geometry })) });
    const boxes = [area?.geometry ?? null, ...shapes].map((g) => bbox(g)).filter((b) => b !== null);
    if (boxes.length) {
      const west = Math.min(...boxes.map((b) => b[0]));
      const south = Math.min(...boxes.map((b) => b[1]));
      const east = Math.max(...boxes.map((b) => b[2]));
      const north = Math.max(...boxes.map((b) => b[3]));
      map.fitBounds([[west, south], [east, north]], { padding: 20, animate: false, maxZoom: 17 });
    }
    box.dataset.ready = 'true';
  });
}

function when(at: string | null | undefined): string {
  return moment(at);
}
