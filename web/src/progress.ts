// The dashboard's plan against actual: a stored plan's m² by a date against the m² approved
// daily progress reports released, in total, per team (largest shortfall first) and per
// hazard area released late or overdue; and the productivity learned from those reports,
// which new plans use. Reads `/api/plan-vs-actual` and `/api/productivity`.

import { ApiError, type Effect, type LearnedRates, type PlanVsActual, learnedRates, planVsActual } from './api';
import { h, num, s } from './dom';
import { day, option, percent, t } from './messages';

/** Rows shown per table; the rest are counted. */
const ROWS = 15;
const PLANNED = '#9aa5a0';
const ACTUAL = '#41ab5d';

/**
 * The plan-against-actual card, drawn for a date by `draw`. It compares with the plan on
 * show when it is stored under its name, else with the base plan (or, before one is stored, the newest).
 */
export function planVsActualCard(planName: string | null): { root: HTMLElement; draw: (asOf: string) => Promise<void> } {
  const body = h('div', { class: 'pva-body' }, h('p', { class: 'muted' }, t('loading')));
  const root = h('div', { class: 'card wide', id: 'plan-vs-actual', 'data-state': 'loading' }, h('h3', {}, t('pva.title')), body);
  const draw = async (asOf: string) => {
    root.dataset.state = 'loading';
    try {
      const figures = await fetchFigures(planName, asOf);
      if (!figures) {
        root.dataset.state = 'no-plan';
        body.replaceChildren(h('p', { class: 'muted', id: 'pva-no-plan' }, t('pva.no_plan')));
        return;
      }
      root.dataset.state = 'ready';
      root.dataset.plan = figures.plan;
      root.dataset.asOf = figures.as_of;
      root.dataset.plannedM2 = String(figures.planned_m2);
      root.dataset.actualM2 = String(figures.actual_m2);
      body.replaceChildren(...render(figures));
    } catch (err) {
      root.dataset.state = 'error';
      body.replaceChildren(h('p', { class: 'error' }, t('pva.error', { reason: (err as Error).message })));
    }
  };
  return { root, draw };
}

/** The figures for the named plan, else the latest stored one; `null` when no plan is stored. */
async function fetchFigures(planName: string | null, asOf: string): Promise<PlanVsActual | null> {
  for (const name of planName ? [planName, null] : [null]) {
    try {
      return await planVsActual(name, asOf);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
  }
  return null;
}

function render(f: PlanVsActual): HTMLElement[] {
  // Teams with nothing planned and nothing reported by the date (a plan not yet begun) say nothing.
  const units = f.units
    .filter((u) => u.planned_m2 > 0 || u.actual_m2 > 0)
    .map((u) => ({ ...u, shortfall: u.planned_m2 - u.actual_m2 }))
    .sort((a, b) => b.shortfall - a.shortfall || a.unit_code.localeCompare(b.unit_code));
  const late = f.hazard_areas
    .filter((a) => (a.days_late ?? 0) > 0)
    .sort((a, b) => (b.days_late ?? 0) - (a.days_late ?? 0) || a.code.localeCompare(b.code));
  const max = Math.max(1, ...units.map((u) => Math.max(u.planned_m2, u.actual_m2)));
  const share = f.planned_m2 > 0 ? ` · ${t('pva.share', { share: percent(f.actual_m2 / f.planned_m2) })}` : '';
  const more = (n: number) => (n > ROWS ? h('p', { class: 'muted' }, t('pva.more', { n: n - ROWS })) : null);
  const m2 = (value: number) => h('td', { class: 'num' }, num(value));
  return [
    h('p', { class: 'muted', id: 'pva-caption' }, t('pva.caption', { plan: f.plan, date: day(f.as_of) })),
    h(
      'div',
      { class: 'pva-totals', id: 'pva-totals' },
      barPair(f.planned_m2, f.actual_m2, Math.max(1, f.planned_m2, f.actual_m2), 320),
      h('p', {}, t('pva.totals', { actual: num(f.actual_m2), planned: num(f.planned_m2) }), share),
      legendRow(),
    ),
    h('div', { class: 'pva-tables' },
      h(
        'div',
        {},
        h('h4', {}, t('pva.units')),
        units.length
          ? h(
              'table',
              { class: 'list pva', id: 'pva-units' },
              h(
                'tr',
                {},
                h('th', {}, t('pva.unit')),
                ...[`${t('pva.planned')} (m²)`, `${t('pva.actual')} (m²)`, `${t('pva.shortfall')} (m²)`, t('pva.reports'), t('pva.hours')].map((c) => h('th', { class: 'num' }, c)),
                h('th', {}),
              ),
              ...units.slice(0, ROWS).map((u) =>
                h(
                  'tr',
                  { 'data-unit': u.unit_code, 'data-shortfall': String(u.shortfall) },
                  h('td', {}, u.unit_code),
                  m2(u.planned_m2),
                  m2(u.actual_m2),
                  h('td', { class: u.shortfall > 0 ? 'num behind' : 'num' }, num(u.shortfall)),
                  h('td', { class: 'num' }, num(u.reports)),
                  h('td', { class: 'num' }, num(u.hours, 1)),
                  h('td', {}, barPair(u.planned_m2, u.actual_m2, max, 120)),
                ),
              ),
            )
          : h('p', { class: 'muted' }, t('pva.no_units')),
        more(units.length),
      ),
      h(
        'div',
        {},
        h('h4', {}, t('pva.late')),
        late.length
          ? h(
              'table',
              { class: 'list pva', id: 'pva-late' },
              h('tr', {}, ...[t('pva.area'), t('pva.planned_release'), t('pva.actual_release')].map((c) => h('th', {}, c)), h('th', { class: 'num' }, t('pva.days_late'))),
              ...late.slice(0, ROWS).map((a) =>
                h(
                  'tr',
                  { 'data-code': a.code, 'data-days-late': String(a.days_late) },
                  h('td', {}, a.code),
                  h('td', {}, day(a.planned_release)),
                  h('td', {}, a.actual_release ? day(a.actual_release) : h('span', { class: 'muted' }, t('pva.not_yet'))),
                  h('td', { class: 'num behind' }, num(a.days_late)),
                ),
              ),
            )
          : h('p', { class: 'muted', id: 'pva-none-late' }, t('pva.no_late')),
        more(late.length),
      ),
    ),
  ];
}

/** Two bars, planned above actual, on the scale of `max`. */
function barPair(planned: number, actual: number, max: number, width: number): SVGSVGElement {
  const w = (v: number) => Math.max(v > 0 ? 1 : 0, (v / max) * width);
  return s(
    'svg',
    { class: 'bar-pair', width, height: 14, viewBox: `0 0 ${width} 14` },
    s('rect', { x: 0, y: 0, width: w(planned), height: 6, fill: PLANNED }, s('title', {}, `${t('pva.planned')}: ${num(planned)} m²`)),
    s('rect', { x: 0, y: 8, width: w(actual), height: 6, fill: ACTUAL }, s('title', {}, `${t('pva.actual')}: ${num(actual)} m²`)),
  );
}

function legendRow(): HTMLElement {
  return h(
    'p',
    { class: 'muted' },
    h('span', { class: 'swatch', style: `background:${PLANNED}` }),
    ` ${t('pva.planned')}  `,
    h('span', { class: 'swatch', style: `background:${ACTUAL}` }),
    ` ${t('pva.actual')}`,
  );
}

/** The productivity learned from approved daily progress: the overall ratio and a factor per method, terrain and contamination. */
export function ratesCard(): HTMLElement {
  const body = h('div', {}, h('p', { class: 'muted' }, t('loading')));
  const root = h('div', { class: 'card', id: 'learned-rates', 'data-state': 'loading' }, h('h3', {}, t('rates.title')), body);
  learnedRates()
    .then((rates) => {
      root.dataset.state = 'ready';
      root.dataset.reports = String(rates.reports_used);
      body.replaceChildren(...renderRates(rates));
    })
    .catch((err: Error) => {
      root.dataset.state = 'error';
      body.replaceChildren(h('p', { class: 'error' }, t('rates.error', { reason: err.message })));
    });
  return root;
}

function renderRates(r: LearnedRates): HTMLElement[] {
  if (!r.reports_used) return [h('p', { class: 'muted', id: 'rates-none' }, t('rates.none'))];
  const table = (title: string, group: string, effects: Record<string, Effect>) => {
    const rows = Object.entries(effects ?? {}).sort(([a], [b]) => a.localeCompare(b));
    if (!rows.length) return null;
    return h(
      'table',
      { class: 'list rates', 'data-group': group },
      h('tr', {}, h('th', {}, title), h('th', { class: 'num' }, t('rates.factor')), h('th', { class: 'num' }, t('rates.reports'))),
      ...rows.map(([key, e]) =>
        h('tr', { [`data-${group}`]: key, 'data-factor': String(e.factor), 'data-reports': String(e.reports) }, h('td', {}, option(group, key)), h('td', { class: 'num' }, num(e.factor, 2)), h('td', { class: 'num' }, num(e.reports))),
      ),
    );
  };
  return [
    h('p', { id: 'rates-summary' }, t('rates.summary', { n: r.reports_used, ratio: num(r.overall_ratio, 2) })),
    h(
      'div',
      { class: 'rates-tables' },
      table(t('rates.method'), 'method', r.by_method),
      table(t('rates.terrain'), 'terrain', r.by_terrain),
      table(t('rates.contamination'), 'contamination', r.by_contamination),
    ),
    h('p', { class: 'muted' }, t('rates.note')),
  ];
}
