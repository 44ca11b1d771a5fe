// Entry point of Bonifica's browser app: checks the session, then shows the login page or
// the app shell with its pages (map, Gantt, dashboard, records, plans, reports), routed by
// the URL hash. The header's language switch redraws the shell and the page on show.

import './style.css';
import { type MapLayer, type User, currentUser, get, logout, planJob, planOf } from './api';
import { forget, shown, showPlan, stale } from './data';
import { h } from './dom';
import { loginPage } from './login';
import { languageSwitch } from './lang/switch';
import { type Key, onLangChange, option, t } from './messages';
import { startOutbox } from './outbox';
import { type Hit, OPEN_RECORD, searchBox } from './search';
import { dropMapView, mapView } from './map/view';
import { session } from './session';

/** A page; `roles`, when given, are the only ones it is for (the server decides anyway). */
type Page = { title: Key; render: () => Promise<HTMLElement> | HTMLElement; roles?: User['role'][] };

const PAGES: Record<string, Page> = {
  map: { title: 'nav.map', render: () => mapView().root },
  gantt: { title: 'nav.gantt', render: async () => (await import('./gantt')).ganttPage() },
  dashboard: { title: 'nav.dashboard', render: async () => (await import('./dashboard')).dashboardPage() },
  records: { title: 'nav.records', render: async () => (await import('./forms')).recordsPage(route().slice(1)) },
  plans: { title: 'nav.plans', render: async () => (await import('./plans')).plansPage() },
  reports: { title: 'nav.reports', render: async () => (await import('./reports')).reportsPage(route().slice(1)) },
  tasks: {
    title: 'nav.tasks',
    render: async () => (await import('./tasks')).tasksPage(),
    roles: ['team_leader'],
  },
  audit: {
    title: 'nav.audit',
    render: async () => (await import('./audit')).auditLogPage(),
    roles: ['coordinator', 'defence_liaison'],
  },
};

const app = document.querySelector<HTMLElement>('#app')!;

/** The hash route's parts: `#/records/assets/42` → `['records', 'assets', '42']`. */
export function route(): string[] {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return parts.length ? parts : ['map'];
}

async function start(): Promise<void> {
  let user: User | null = null;
  try {
    user = await currentUser();
  } catch (err) {
    app.replaceChildren(h('p', { class: 'error' }, t('app.no_answer', { reason: (err as Error).message })));
    return;
  }
  if (!user) {
    showLogin();
    return;
  }
  signedIn(user);
}

function showLogin(username = ''): void {
  app.replaceChildren(loginPage((u) => signedIn(u), username));
}

/** The page element while someone is signed in. */
let main: HTMLElement | null = null;

function signedIn(user: User): void {
  session.user = user;
  main = h('main', { id: 'page' });
  // Typing in a form marks the page: a change of language then leaves it as it is, rather
  // than drawing it again empty.
  main.addEventListener('input', (e) => {
    if ((e.target as Element | null)?.closest?.('form')) main!.dataset.dirty = 'true';
  });
  app.replaceChildren(header(user), main);
  window.onhashchange = () => void show();
  void show();
  void restorePlan();
  // Reports filed offline on this device go out as soon as someone is signed in.
  startOutbox(user.username);
}

function header(user: User): HTMLElement {
  const nav = h(
    'nav',
    {},
    ...Object.entries(PAGES)
      .filter(([, page]) => !page.roles || page.roles.includes(user.role))
      .map(([id, page]) => h('a', { href: `#/${id}`, 'data-page': id }, t(page.title))),
  );
  return h(
    'header',
    { class: 'top' },
    h('span', { class: 'brand' }, 'Bonifica'),
    nav,
    searchBox((hit) => void openHit(hit)),
    h(
      'span',
      { class: 'who', id: 'who' },
      user.username,
      ' · ',
      h('span', { class: 'role', id: 'role', 'data-role': user.role }, option('role', user.role)),
      user.organisation ? ` · ${user.organisation}` : '',
    ),
    languageSwitch(),
    h('button', { id: 'logout', onclick: () => void signOut() }, t('app.sign_out')),
  );
}

/** The map layer that draws each kind of record a search finds. */
const LAYER_OF: Partial<Record<Hit['kind'], MapLayer>> = {
  hazard_area: 'hazard-areas',
  asset: 'assets',
  settlement: 'settlements',
  team: 'teams',
  crew: 'crews',
};

/** Opens a search hit: on the map where it lies, else (an organisation) its record. */
async function openHit(hit: Hit): Promise<void> {
  if (hit.kind === 'organisation') {
    location.hash = `#/records/organisations/${encodeURIComponent(hit.id)}`;
    return;
  }
  if (route()[0] !== 'map') {
    location.hash = '#/map';
    await show();
  }
  if (hit.bbox) await mapView().focus(LAYER_OF[hit.kind] ?? null, hit.id, hit.bbox);
}

window.addEventListener(OPEN_RECORD, (e) => void openHit((e as CustomEvent<Hit>).detail));

/** Marks the current page in the navigation and names the tab after it. */
function markPage(): Page {
  const [id] = route();
  const page = PAGES[id] ?? PAGES.map;
  for (const a of app.querySelectorAll<HTMLAnchorElement>('header.top nav a')) a.classList.toggle('active', a.dataset.page === id);
  document.title = `${t(page.title)} · Bonifica`;
  return page;
}

/** Counts the pages asked for: a page that takes longer to draw than the next one asked for is dropped. */
let asked = 0;

async function show(): Promise<void> {
  const into = main;
  if (!into) return;
  const ticket = ++asked;
  const [id] = route();
  const page = markPage();
  delete into.dataset.dirty;
  try {
    const el = await page.render();
    // The user moved on while this page was drawn (a slow dashboard, then the plans): the
    // later page stays.
    if (ticket !== asked) return;
    into.replaceChildren(el);
    if (id === 'map' || !PAGES[id]) mapView().shown();
  } catch (err) {
    if (ticket !== asked) return;
    into.replaceChildren(h('p', { class: 'error' }, t('app.cannot_show', { page: t(page.title), reason: (err as Error).message })));
  }
}

// A new language redraws what is on screen: the login page, or the header and the page on
// show (the map keeps its view and relabels its own panel). A form with changes typed in
// keeps them, and its words, until the user moves on.
onLangChange(() => {
  if (!session.user || !main) {
    const typed = document.querySelector<HTMLInputElement>('#username')?.value ?? '';
    showLogin(typed);
    return;
  }
  app.querySelector('header.top')?.replaceWith(header(session.user));
  const dirty = main.dataset.dirty === 'true' || main.querySelector('form[data-polygon="true"]') !== null;
  if (dirty) markPage();
  else void show();
});

/** Shows the plan the user last ran, when the server still has it. */
/**
 * Puts a plan on show after signing in: the one last shown on this device, else the stored
 * plan the field follows (the base plan), so the Gantt, the dashboard and the map's
 * timeline have a plan without a visit to the Plans page.
 */
async function restorePlan(): Promise<void> {
  if (shown.plan) return;
  const remembered = localStorage.getItem('bonifica.plan');
  if (remembered && (await tryShow(remembered))) return;
  localStorage.removeItem('bonifica.plan');
  try {
    const { followed } = await get<{ followed?: string | null }>('/api/plans');
    if (followed && !shown.plan) await tryShow(followed);
  } catch {
    // No plan to show: the pages say so.
  }
}

async function tryShow(id: string): Promise<boolean> {
  try {
    const plan = planOf(await planJob(id));
    if (plan && !shown.plan) showPlan(plan, id);
    return plan !== null;
  } catch {
    return false;
  }
}

async function signOut(): Promise<void> {
  try {
    await logout();
  } finally {
    session.user = null;
    main = null;
    forget();
    stale.clear();
    // The map's listeners go with it, before the plan is forgotten.
    shown.listeners.length = 0;
    dropMapView();
    showPlan(null, null);
    history.replaceState(null, '', location.pathname);
    showLogin();
  }
}

void start();
