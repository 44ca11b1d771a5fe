// Plan runs: start a plan (optionally under a scenario), follow its progress, open a
// finished plan on the map, Gantt and dashboard, and compare runs side by side; and the
// plans stored in the region file, which open the same way.

import { type PlanJob, cancelPlan, get, planJob, planOf, startPlan } from './api';
import { forget, showPlan, shown } from './data';
import { h, num } from './dom';
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
  const start = h('button', { id: 'start-plan', disabled: !canPlan() }, 'Start plan');
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
      runs.unshift({ id, label: `${scenario.name} (${new Date().toLocaleTimeString()})`, job: null });
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
        h('tr', {}, h('th', {}, 'Run'), h('th', {}, 'State'), h('th', {}, 'Progress'), h('th', {}, 'Best objective'), h('th', {}, '')),
        ...runs.map((run) => {
          const plan = run.job ? planOf(run.job) : null;
          return h(
            'tr',
            { 'data-run': run.id, 'data-state': run.job?.state ?? 'unknown' },
            h('td', {}, run.label),
            h('td', { class: 'state' }, run.job?.state ?? '…'),
            h('td', {}, h('progress', { max: 1, value: run.job?.progress ?? (plan ? 1 : 0) })),
            h('td', {}, num(run.job?.best_objective, 1)),
            h(
              'td',
              {},
              plan ? h('button', { class: 'secondary', onclick: () => showPlan(plan, run.id), 'data-open': run.id }, shown.jobId === run.id ? 'On show' : 'Show') : null,
              run.job && !plan && !isFinal(run.job.state) ? h('button', { class: 'secondary', onclick: () => void cancelPlan(run.id).then(() => poll(run, render)) }, 'Cancel') : null,
            ),
          );
        }),
      ),
    );
    compare.replaceChildren(...runs.filter((r) => r.job && planOf(r.job)).slice(0, 4).map(summaryCard));
  };
  for (const run of runs) if (!run.job || !isFinal(run.job.state)) void poll(run, render);
  render();
  const stored = h('div', { id: 'stored-plans' }, h('p', { class: 'muted' }, 'Loading…'));
  void storedPlans(stored, error);
  return h(
    'section',
    { class: 'page', id: 'plans' },
    h('h2', {}, 'Plan runs'),
    h('div', { class: 'actions' }, h('label', {}, 'Scenario ', name),
      ' ',
      h('label', {}, 'Deminers × ', deminers),
      ' ',
      h('label', {}, 'Workers × ', workers),
      ' ',
      h('label', {}, 'Contracts + days ', extension),
      ' ',
      start),
    canPlan() ? null : h('p', { class: 'muted' }, 'Your role reads plans; a coordinator starts them.'),
    error,
    table,
    h('h3', {}, 'Side by side'),
    compare,
    h('h3', {}, 'Plans stored in the region file'),
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
    box.replaceChildren(h('p', { class: 'muted' }, 'None yet: a plan that runs to the end is saved here under its scenario name.'));
    return;
  }
  const open = async (p: StoredPlan, button: HTMLButtonElement) => {
    button.disabled = true;
    button.textContent = 'Opening…';
    try {
      const plan = planOf(await planJob(p.id));
      if (plan) showPlan(plan, p.id);
      button.textContent = plan ? 'On show' : 'No plan';
    } catch (err) {
      error.textContent = (err as Error).message;
      button.textContent = 'Show';
    } finally {
      button.disabled = false;
    }
  };
  box.replaceChildren(
    h(
      'table',
      { class: 'list' },
      h('tr', {}, h('th', {}, 'Scenario'), h('th', {}, 'Saved'), h('th', {}, 'Starts'), h('th', {}, 'Objective'), h('th', {}, 'Programme ends (P50–P90)'), h('th', {}, '')),
      ...list.map((p) => {
        const button = h('button', { class: 'secondary', 'data-open-stored': p.id }, shown.jobId === p.id ? 'On show' : 'Show');
        button.addEventListener('click', () => void open(p, button));
        const ends = p.programme_end ?? 'beyond the contracts';
        const band = p.programme_p50 || p.programme_p90 ? ` (${p.programme_p50 ?? '–'} – ${p.programme_p90 ?? '–'})` : '';
        return h(
          'tr',
          { 'data-stored': p.name },
          h('td', {}, p.name),
          h('td', {}, p.created.slice(0, 16).replace('T', ' ')),
          h('td', {}, p.start_date),
          h('td', {}, num(p.objective, 1)),
          h('td', {}, ends + band),
          h('td', {}, button),
        );
      }),
    ),
  );
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
      run.job = { state: `unavailable: ${(err as Error).message}` } as PlanJob;
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
    ['Objective', num(plan.objective_value, 1)],
    ['Baseline objective', num(plan.baseline_objective ?? null, 1)],
    ['Hazard areas released', num(i.hazards_released)],
    ['Land released', `${num(i.released_km2, 1)} km²`],
    ['Assets restored', num(i.assets_restored)],
    ['Road reopened', `${num(i.road_km_reopened, 1)} km`],
    ['Rail reopened', `${num(i.rail_km_reopened, 1)} km`],
    ['Population with power', `${num(100 * i.power_population_share, 1)} %`],
    ['Programme ends', i.programme_end ?? 'beyond the contracts'],
    ['Deferred tasks', num(plan.deferred.length)],
  ];
  return h('div', { class: 'card' }, h('h3', {}, run.label), h('table', { class: 'props' }, ...rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)))));
}
