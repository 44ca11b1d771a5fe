// The dashboard: area released over time (planned, with the P50–P90 band), road and rail
// reopened, population with power back, workforce utilisation, contracts ending soon, and
// the stored plan against what approved field reports say (progress.ts). One date, chosen at
// the top, drives the contracts and the plan against actual.

import type { DayFigures, Plan } from './api';
import { barChart, lineChart } from './charts';
import { dateAt, featureId, figuresAt, layer, shown, summaryAsOf } from './data';
import { h } from './dom';
import { t } from './messages';
import { planVsActualCard, ratesCard } from './progress';

type Card = (title: string, id: string, ...body: (Node | string)[]) => HTMLElement;

export async function dashboardPage(): Promise<HTMLElement> {
  const asOf = h('input', { type: 'date', id: 'dashboard-as-of', value: dashboardAsOf(), required: true });
  const hint = t('contracts.default', { hint: shown.plan ? t('contracts.hint_plan') : t('contracts.hint_today') });
  const page = h(
    'section',
    { class: 'page', id: 'dashboard' },
    h('h2', {}, t('dashboard.title')),
    h('label', { class: 'as-of' }, `${t('contracts.as_of')} `, asOf, h('span', { class: 'muted' }, ` ${hint}`)),
  );
  const cards = h('div', { class: 'cards' });
  page.append(cards);
  const card: Card = (title, id, ...body) => h('div', { class: 'card', id }, h('h3', {}, title), ...body);

  const contracts = contractsCard(card);
  const progress = planVsActualCard(shown.plan?.name ?? null);
  const redraw = () => Promise.all([contracts.draw(asOf.value), progress.draw(asOf.value)]);
  asOf.addEventListener('change', () => void (asOf.value && redraw()));
  cards.append(contracts.root, progress.root, ratesCard());
  await redraw();

  const plan = shown.plan;
  if (!plan) {
    page.insertBefore(h('p', { class: 'muted' }, t('dashboard.no_plan')), cards);
    return page;
  }
  const months = plan.indicators.months;
  const labels = months.map((m) => m.month);
  // Each month's point is the plan's figure at the month's end: the one the map's timeline
  // and the plan card read (`figuresAt`).
  const atEnd = labels.map((m) => figuresAt(plan, `${m}-31`));
  const releasedKm2 = atEnd.map((f) => f?.released_km2 ?? NaN);
  const band = await forecastBand(plan, labels);
  // The plan's charts come first, right after the contracts; plan against actual and the
  // learned rates follow them.
  contracts.root.after(
    withValues(card(t('chart.released'), 'chart-released', lineChart(labels, [{ label: t('series.planned'), colour: '#41ab5d', values: releasedKm2 }], band ?? undefined)), labels, atEnd),
    card(
      t('chart.network'),
      'chart-network',
      lineChart(labels, [
        { label: t('series.road'), colour: '#e6550d', values: atEnd.map((f) => f?.road_km_reopened ?? NaN) },
        { label: t('series.rail'), colour: '#3f007d', values: atEnd.map((f) => f?.rail_km_reopened ?? NaN), dashed: true },
      ]),
    ),
    card(t('chart.power'), 'chart-power', lineChart(labels, [{ label: t('series.share'), colour: '#f0a202', values: atEnd.map((f) => 100 * (f?.power_population_share ?? NaN)) }], undefined, ' %')),
    card(
      t('chart.utilisation'),
      'chart-utilisation',
      lineChart(
        labels,
        [
          { label: t('series.teams'), colour: '#d7301f', values: months.map((m) => 100 * m.team_utilisation) },
          { label: t('series.crews'), colour: '#2b8cbe', values: months.map((m) => 100 * m.crew_utilisation) },
        ],
        undefined,
        ' %',
      ),
    ),
  );
  return page;
}

/**
 * The day the dashboard counts from: the plan date the timeline shows when a plan is loaded
 * (its first day until the slider moves), today otherwise.
 */
export function dashboardAsOf(): string {
  const plan = shown.plan;
  return plan ? dateAt(plan.start_date, shown.day) : new Date().toISOString().slice(0, 10);
}

/** Contracts ending within 30, 60 and 90 days of the dashboard's date. */
function contractsCard(card: Card): { root: HTMLElement; draw: (asOf: string) => Promise<void> } {
  const bars = h('div', { class: 'chart-box' });
  const draw = async (asOf: string) => {
    try {
      const s = await summaryAsOf(asOf || undefined);
      const e = s.contracts_ending;
      if (!e) {
        bars.replaceChildren(h('p', { class: 'muted' }, t('contracts.no_role')));
        return;
      }
      const chart = barChart(
        [
          [t('contracts.days', { n: 30 }), e.in_30_days],
          [t('contracts.days', { n: 60 }), e.in_60_days],
          [t('contracts.days', { n: 90 }), e.in_90_days],
        ],
        '#8e44ad',
      );
      chart.dataset.values = `${e.in_30_days},${e.in_60_days},${e.in_90_days}`;
      chart.dataset.asOf = s.as_of ?? asOf;
      bars.replaceChildren(chart);
    } catch (err) {
      bars.replaceChildren(h('p', { class: 'error' }, t('contracts.error', { reason: (err as Error).message })));
    }
  };
  return { root: card(t('chart.contracts'), 'chart-contracts', bars), draw };
}

/** Cumulative released km² by month at the forecast's P50 and P90 dates, when the plan has a forecast. */
async function forecastBand(plan: Plan, labels: string[]) {
  const f = plan.forecast;
  if (!f || !f.hazards?.length) return null;
  const hazards = await layer('hazard-areas');
  const area = new Map(hazards.features.map((x) => [featureId(x), Number(x.properties.area_m2 ?? 0) / 1e6]));
  const cumulative = (pick: 'p50' | 'p90') =>
    labels.map((month) => f.hazards.reduce((sum, r) => sum + (r[pick] && r[pick]!.slice(0, 7) <= month ? (area.get(r.id) ?? 0) : 0), 0));
  // P90 dates are later, so its curve is the low edge of the band.
  return { low: cumulative('p90'), high: cumulative('p50'), colour: '#74c476', label: 'P50–P90' };
}

/** Marks a chart's card with the plan's figures at each month's end, for whoever reads the page's data. */
function withValues(el: HTMLElement, labels: string[], at: (DayFigures | null)[]): HTMLElement {
  el.dataset.months = JSON.stringify(labels.map((m, i) => ({ month: m, released_km2: at[i]?.released_km2 ?? null, assets_restored: at[i]?.assets_restored ?? null })));
  return el;
}
