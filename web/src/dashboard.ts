// The dashboard: area released over time (planned, with the P50–P90 band), road and rail
// reopened, population with power back, workforce utilisation, and contracts ending soon.

import type { Plan } from './api';
import { barChart, lineChart } from './charts';
import { dateAt, featureId, layer, shown, summaryAsOf } from './data';
import { h } from './dom';

export async function dashboardPage(): Promise<HTMLElement> {
  const page = h('section', { class: 'page', id: 'dashboard' }, h('h2', {}, 'Dashboard'));
  const cards = h('div', { class: 'cards' });
  page.append(cards);
  const card = (title: string, id: string, ...body: (Node | string)[]) => h('div', { class: 'card', id }, h('h3', {}, title), ...body);

  cards.append(await contractsCard(card));

  const plan = shown.plan;
  if (!plan) {
    page.insertBefore(h('p', { class: 'muted' }, 'No plan is loaded: the planned figures appear once a plan run finishes (Plans).'), cards);
    return page;
  }
  const months = plan.indicators.months;
  const labels = months.map((m) => m.month);
  let released = 0;
  const releasedKm2 = months.map((m) => (released += m.cancelled_km2 + m.reduced_km2 + m.cleared_km2));
  const band = await forecastBand(plan, labels);
  cards.append(
    card('Area released (km², cumulative)', 'chart-released', lineChart(labels, [{ label: 'planned', colour: '#41ab5d', values: releasedKm2 }], band ?? undefined)),
    card(
      'Road and rail reopened (km)',
      'chart-network',
      lineChart(labels, [
        { label: 'road', colour: '#e6550d', values: months.map((m) => m.road_km_reopened) },
        { label: 'rail', colour: '#3f007d', values: months.map((m) => m.rail_km_reopened), dashed: true },
      ]),
    ),
    card('Population with power restored', 'chart-power', lineChart(labels, [{ label: 'share', colour: '#f0a202', values: months.map((m) => 100 * m.power_population_share) }], undefined, ' %')),
    card(
      'Workforce utilisation',
      'chart-utilisation',
      lineChart(
        labels,
        [
          { label: 'teams', colour: '#d7301f', values: months.map((m) => 100 * m.team_utilisation) },
          { label: 'crews', colour: '#2b8cbe', values: months.map((m) => 100 * m.crew_utilisation) },
        ],
        undefined,
        ' %',
      ),
    ),
  );
  return page;
}

/**
 * The day the contracts chart counts from: the plan date the timeline shows when a plan is
 * loaded (its first day until the slider moves), today otherwise.
 */
export function contractsAsOf(): string {
  const plan = shown.plan;
  return plan ? dateAt(plan.start_date, shown.day) : new Date().toISOString().slice(0, 10);
}

/** Contracts ending within 30, 60 and 90 days of a date the user can change. */
async function contractsCard(card: (title: string, id: string, ...body: (Node | string)[]) => HTMLElement): Promise<HTMLElement> {
  const asOf = h('input', { type: 'date', id: 'contracts-as-of', value: contractsAsOf(), required: true });
  const bars = h('div', { class: 'chart-box' });
  const draw = async () => {
    try {
      const s = await summaryAsOf(asOf.value || undefined);
      const e = s.contracts_ending;
      if (!e) {
        bars.replaceChildren(h('p', { class: 'muted' }, 'Your role does not read contracts.'));
        return;
      }
      const chart = barChart(
        [
          ['30 days', e.in_30_days],
          ['60 days', e.in_60_days],
          ['90 days', e.in_90_days],
        ],
        '#8e44ad',
      );
      chart.dataset.values = `${e.in_30_days},${e.in_60_days},${e.in_90_days}`;
      chart.dataset.asOf = s.as_of ?? asOf.value;
      bars.replaceChildren(chart);
    } catch (err) {
      bars.replaceChildren(h('p', { class: 'error' }, `Contracts unavailable: ${(err as Error).message}`));
    }
  };
  asOf.addEventListener('change', () => void draw());
  await draw();
  const hint = shown.plan ? 'the plan date on the map’s timeline' : 'today';
  return card('Contracts ending', 'chart-contracts', h('label', { class: 'as-of' }, 'As of ', asOf, h('span', { class: 'muted' }, ` (default: ${hint})`)), bars);
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
