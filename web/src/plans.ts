// Plan runs: start a plan (optionally under a scenario), follow its progress, open a
// finished plan on the map, Gantt and dashboard, and compare runs side by side; and the
// plans stored in the region file, which open the same way.

import { type PlanJob, cancelPlan, get, planJob, planOf, startPlan } from './api';
import { forget, showPlan, shown } from './data';
import { h, num } from './dom';
import { compact, day, moment, option, t, timeNow } from './messages';
import { canPlan } from './session';

interface Run {
  id: string;
  label: string;
  job: PlanJob | null;
}

const runs: Run[] = JSON.parse(localStorage.getItem('bonifica.runs') ?? '[]').map((r: { id: string; label: string }) => ({ ...r, job: null }));

function remember(): void {
  localStorage.setItem('bonifica.runs', JSON.stringify(runs.map(({ id, label }) => ({ id, label }))));
}

export function plansPage(): HTMLElement {
  const table = h('div', { id: 'runs' });
  const compare = h('div', { class: 'compare', id: 'compare' });
  const error = h('p', { class: 'error', id: 'plan-error' });
  // A scenario is a named variation of the region, as the planner reads it.
  const name = h('input', { id: 'scenario-name', value: 'base', size: 14 });
  const deminers = h('input', { id: 'deminers-factor', type: 'number', step: 0.1, min: 0.1, value: 1, style: 'width:5em' });
  const workers = h('input', { id: 'workers-factor', type: 'number', step: 0.1, min: 0.1, value: 1, style: 'width:5em' });
  const extension = h('input', { id: 'contract-extension', type: 'number', step: 30, min: 0, value: 0, style: 'width:5em' });
  const start = h('button', { id: 'start-plan', disabled: !canPlan() }, t('plans.start'));
  start.addEventListener('click', async () => {
    error.textContent = '';
    try {
      // Only what the user chose is sent: the server's defaults hold for the rest.
      const options: Record<string, unknown> = {};
      const scenario = {
        name: name.value.trim() || 'base',
        deminers_factor: Number(deminers.value) || 1,
        workers_factor: Number(workers.value) || 1,
        contract_extension_days: Number(extension.value) || 0,
      };
      const varied = scenario.name !== 'base' || scenario.deminers_factor !== 1 || scenario.workers_factor !== 1 || scenario.contract_extension_days !== 0;
      if (varied) options.scenario = scenario;
      const id = await startPlan(options);
      runs.unshift({ id, label: `${scenario.name} (${timeNow()})`, job: null });
      remember();
      void poll(runs[0], render);
      render();
    } catch (err) {
      error.textContent = (err as Error).message;
    }
  });
  const render = () => {
    table.replaceChildren(
      h(
        'table',
        { class: 'list' },
        h('tr', {}, h('th', {}, t('plans.run')), h('th', {}, t('plans.state')), h('th', {}, t('plans.progress')), h('th', {}, t('plans.best')), h('th', {}, '')),
        ...runs.map((run) => {
          const plan = run.job ? planOf(run.job) : null;
          return h(
            'tr',
            { 'data-run': run.id, 'data-state': run.job?.state ?? 'unknown' },
            h('td', {}, run.label),
            h('td', { class: 'state' }, stateText(run.job)),
            h('td', {}, h('progress', { max: 1, value: run.job?.progress ?? (plan ? 1 : 0) })),
            h('td', {}, compact(run.job?.best_objective)),
            h(
              'td',
              {},
              plan ? showButton(shown.jobId === run.id, { class: 'secondary', onclick: () => showPlan(plan, run.id), 'data-open': run.id }) : null,
              run.job && !plan && !isFinal(run.job.state) ? h('button', { class: 'secondary', onclick: () => void cancelPlan(run.id).then(() => poll(run, render)) }, t('plans.cancel')) : null,
            ),
          );
        }),
      ),
    );
    compare.replaceChildren(...runs.filter((r) => r.job && planOf(r.job)).slice(0, 4).map(summaryCard));
  };
  for (const run of runs) if (!run.job || !isFinal(run.job.state)) void poll(run, render);
  render();
  const stored = h('div', { id: 'stored-plans' }, h('p', { class: 'muted' }, t('loading')));
  void storedPlans(stored, error);
  return h(
    'section',
    { class: 'page', id: 'plans' },
    h('h2', {}, t('plans.title')),
    h(
      'div',
      { class: 'actions' },
      h('label', {}, `${t('plans.scenario')} `, name),
      ' ',
      h('label', {}, `${t('plans.deminers')} `, deminers),
      ' ',
      h('label', {}, `${t('plans.workers')} `, workers),
      ' ',
      h('label', {}, `${t('plans.extension')} `, extension),
      ' ',
      start,
    ),
    canPlan() ? null : h('p', { class: 'muted' }, t('plans.read_only')),
    error,
    table,
    h('h3', {}, t('plans.side_by_side')),
    compare,
    h('h3', {}, t('plans.stored')),
    stored,
  );
}

/** A plan saved in the region file, as `GET /api/plans` lists it. */
interface StoredPlan {
  id: string;
  name: string;
  created: string;
  start_date: string;
  objective: number;
  programme_end: string | null;
  programme_p50: string | null;
  programme_p90: string | null;
}

/** The stored plans, one per scenario name, each with a button that puts it on show. */
async function storedPlans(box: HTMLElement, error: HTMLElement): Promise<void> {
  let list: StoredPlan[];
  try {
    list = (await get<{ stored?: StoredPlan[] }>('/api/plans')).stored ?? [];
  } catch (err) {
    box.replaceChildren(h('p', { class: 'error' }, (err as Error).message));
    return;
  }
  if (!list.length) {
    box.replaceChildren(h('p', { class: 'muted' }, t('plans.none_stored')));
    return;
  }
  const open = async (p: StoredPlan, button: HTMLButtonElement) => {
    button.disabled = true;
    button.textContent = t('plans.opening');
    try {
      const plan = planOf(await planJob(p.id));
      if (plan) showPlan(plan, p.id);
      button.textContent = plan ? t('plans.on_show') : t('plans.no_plan');
      button.dataset.onShow = String(plan !== null);
    } catch (err) {
      error.textContent = (err as Error).message;
      button.textContent = t('plans.show');
    } finally {
      button.disabled = false;
    }
  };
  box.replaceChildren(
    h(
      'table',
      { class: 'list' },
      h(
        'tr',
        {},
        ...[t('plans.scenario'), t('plans.saved'), t('plans.starts'), t('plans.objective'), t('plans.ends_band'), ''].map((c) => h('th', {}, c)),
      ),
      ...list.map((p) => {
        const button = showButton(shown.jobId === p.id, { class: 'secondary', 'data-open-stored': p.id });
        button.addEventListener('click', () => void open(p, button));
        const ends = p.programme_end ? day(p.programme_end) : t('plans.beyond');
        const band = p.programme_p50 || p.programme_p90 ? ` (${day(p.programme_p50) || '–'} – ${day(p.programme_p90) || '–'})` : '';
        return h(
          'tr',
          { 'data-stored': p.name },
          h('td', {}, p.name),
          h('td', {}, moment(p.created)),
          h('td', {}, day(p.start_date)),
          h('td', {}, compact(p.objective)),
          h('td', {}, ends + band),
          h('td', {}, button),
        );
      }),
    ),
    list.length >= 2 ? compareForm(list) : h('p', { class: 'muted' }, t('plans.compare_needs_two')),
  );
}

/** Two stored plans chosen by name and compared: every indicator side by side with its difference, and the assets restored earlier and later. */
function compareForm(list: StoredPlan[]): HTMLElement {
  const pick = (id: string, chosen: number) =>
    h('select', { id }, ...list.map((p, i) => h('option', { value: p.name, selected: i === chosen }, p.name)));
  const base = Math.max(0, list.findIndex((p) => p.name === 'base'));
  const a = pick('compare-a', base) as HTMLSelectElement;
  const b = pick('compare-b', base === 0 ? 1 : 0) as HTMLSelectElement;
  const out = h('div', { id: 'comparison' });
  const run = async () => {
    out.replaceChildren(h('p', { class: 'muted' }, t('loading')));
    try {
      const c = await get<Comparison>(`/api/plans/compare?a=${encodeURIComponent(a.value)}&b=${encodeURIComponent(b.value)}`);
      out.replaceChildren(
        h(
          'table',
          { class: 'list comparison' },
          h('tr', {}, h('th', {}, t('plans.indicator')), h('th', {}, c.a), h('th', {}, c.b), h('th', {}, t('plans.difference'))),
          ...c.rows.map((r) => {
            const d = r.b - r.a;
            return h(
              'tr',
              { 'data-indicator': r.indicator, 'data-difference': String(d) },
              h('td', {}, option('indicator', r.indicator)),
              h('td', {}, figure(r.a)),
              h('td', {}, figure(r.b)),
              h('td', { class: d === 0 ? 'muted' : '' }, d === 0 ? '=' : `${d > 0 ? '+' : '−'}${figure(Math.abs(d))}`),
            );
          }),
        ),
        h('p', { id: 'comparison-assets' }, t('plans.assets_moved', { earlier: num(c.assets_earlier), later: num(c.assets_later), same: num(c.assets_same), b: c.b, a: c.a })),
      );
    } catch (err) {
      out.replaceChildren(h('p', { class: 'error' }, (err as Error).message));
    }
  };
  return h(
    'div',
    { class: 'card wide', id: 'compare-stored' },
    h('h3', {}, t('plans.compare_title')),
    h('div', { class: 'list-tools' }, a, ' ↔ ', b, h('button', { type: 'button', id: 'compare-run', onclick: () => void run() }, t('plans.compare'))),
    out,
  );
}

/** A figure of a comparison: few digits for large numbers, one decimal for small ones. */
function figure(v: number): string {
  return Math.abs(v) >= 100_000 ? compact(v) : num(v, Math.abs(v) < 10 ? 2 : 1);
}

interface Comparison {
  a: string;
  b: string;
  rows: { indicator: string; a: number; b: number }[];
  assets_earlier: number;
  assets_later: number;
  assets_same: number;
}

/** The button that puts a plan on show; it says so (and `data-on-show`) when it is. */
function showButton(onShow: boolean, attrs: Record<string, string | EventListener>): HTMLButtonElement {
  return h('button', { ...attrs, 'data-on-show': String(onShow) }, onShow ? t('plans.on_show') : t('plans.show'));
}

/** A run's state in words: the job's state, or why it cannot be read. */
function stateText(job: PlanJob | null): string {
  if (!job) return '…';
  if (job.state === 'unavailable') return t('plans.unavailable', { reason: job.error ?? '' });
  return option('job', job.state);
}

function isFinal(state: string): boolean {
  return ['done', 'finished', 'succeeded', 'failed', 'cancelled', 'canceled', 'error'].includes(state);
}

/** Follows a run until it ends, redrawing after each answer. */
async function poll(run: Run, render: () => void): Promise<void> {
  for (;;) {
    try {
      run.job = await planJob(run.id);
    } catch (err) {
      run.job = { state: 'unavailable', error: (err as Error).message };
      render();
      return;
    }
    render();
    // A plan that ran to the end is saved, and the map places teams and crews by it.
    if (run.job.state === 'done') {
      forget('teams');
      forget('crews');
    }
    if (isFinal(run.job.state) || planOf(run.job)) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function summaryCard(run: Run): HTMLElement {
  const plan = run.job ? planOf(run.job) : null;
  if (!plan) return h('div');
  const i = plan.indicators;
  const rows: [string, string][] = [
    [t('plans.objective'), compact(plan.objective_value)],
    [t('plans.baseline'), compact(plan.baseline_objective ?? null)],
    [t('counter.released'), num(i.hazards_released)],
    [t('plans.released_km2'), `${num(i.released_km2, 1)} km²`],
    [t('counter.restored'), num(i.assets_restored)],
    [t('counter.road_km'), `${num(i.road_km_reopened, 1)} km`],
    [t('counter.rail_km'), `${num(i.rail_km_reopened, 1)} km`],
    [t('plans.power'), `${num(100 * i.power_population_share, 1)} %`],
    [t('plans.ends'), i.programme_end ? day(i.programme_end) : t('plans.beyond')],
    [t('plans.deferred'), num(plan.deferred.length)],
  ];
  return h(
    'div',
    { class: 'card plan-card', 'data-released-km2': String(i.released_km2), 'data-restored': String(i.assets_restored), 'data-end': i.days?.at(-1)?.date ?? '' },
    h('h3', {}, run.label),
    h('table', { class: 'props' }, ...rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)))),
  );
}
