// Entry point of Bonifica's browser app: checks the session, then shows the login page or
// the app shell with its pages (map, Gantt, dashboard, records, plans, reports), routed by the URL hash.

import './style.css';
import { type User, currentUser, logout, planJob, planOf } from './api';
import { forget, shown, showPlan, stale } from './data';
import { h } from './dom';
import { loginPage } from './login';
import { t } from './messages';
import { startOutbox } from './outbox';
import { dropMapView, mapView } from './map/view';
import { roleName, session } from './session';

type Page = { title: string; render: () => Promise<HTMLElement> | HTMLElement };

const PAGES: Record<string, Page> = {
  map: { title: 'Map', render: () => mapView().root },
  gantt: { title: 'Gantt', render: async () => (await import('./gantt')).ganttPage() },
  dashboard: { title: 'Dashboard', render: async () => (await import('./dashboard')).dashboardPage() },
  records: { title: 'Records', render: async () => (await import('./forms')).recordsPage(route().slice(1)) },
  plans: { title: 'Plans', render: async () => (await import('./plans')).plansPage() },
  reports: { title: t('nav.reports'), render: async () => (await import('./reports')).reportsPage(route().slice(1)) },
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
    app.replaceChildren(h('p', { class: 'error' }, `The server did not answer: ${(err as Error).message}`));
    return;
  }
  if (!user) {
    app.replaceChildren(loginPage((u) => signedIn(u)));
    return;
  }
  signedIn(user);
}

function signedIn(user: User): void {
  session.user = user;
  const main = h('main', { id: 'page' });
  const nav = h(
    'nav',
    {},
    ...Object.entries(PAGES).map(([id, page]) => h('a', { href: `#/${id}`, 'data-page': id }, page.title)),
  );
  const header = h(
    'header',
    { class: 'top' },
    h('span', { class: 'brand' }, 'Bonifica'),
    nav,
    h(
      'span',
      { class: 'who', id: 'who' },
      user.username,
      ' · ',
      h('span', { class: 'role', id: 'role' }, roleName(user.role)),
      user.organisation ? ` · ${user.organisation}` : '',
    ),
    h('button', { id: 'logout', onclick: () => void signOut() }, 'Sign out'),
  );
  app.replaceChildren(header, main);
  window.onhashchange = () => void show(main, nav);
  void show(main, nav);
  void restorePlan();
  // Reports filed offline on this device go out as soon as someone is signed in.
  startOutbox(user.username);
}

async function show(main: HTMLElement, nav: HTMLElement): Promise<void> {
  const [id] = route();
  const page = PAGES[id] ?? PAGES.map;
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.dataset.page === id);
  document.title = `${page.title} · Bonifica`;
  try {
    const el = await page.render();
    main.replaceChildren(el);
    if (id === 'map' || !PAGES[id]) mapView().shown();
  } catch (err) {
    main.replaceChildren(h('p', { class: 'error' }, `Could not show ${page.title}: ${(err as Error).message}`));
  }
}

/** Shows the plan the user last ran, when the server still has it. */
async function restorePlan(): Promise<void> {
  const id = localStorage.getItem('bonifica.plan');
  if (!id || shown.plan) return;
  try {
    const job = await planJob(id);
    const plan = planOf(job);
    if (plan) showPlan(plan, id);
  } catch {
    localStorage.removeItem('bonifica.plan');
  }
}

async function signOut(): Promise<void> {
  try {
    await logout();
  } finally {
    session.user = null;
    forget();
    stale.clear();
    // The map's listeners go with it, before the plan is forgotten.
    shown.listeners.length = 0;
    dropMapView();
    showPlan(null, null);
    history.replaceState(null, '', location.pathname);
    app.replaceChildren(loginPage((u) => signedIn(u)));
  }
}

void start();
