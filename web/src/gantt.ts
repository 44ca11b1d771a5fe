// The Gantt chart of the loaded plan: one row per team and crew, grouped by organisation,
// bars for placed work (colour by activity), contract periods shaded behind each row.

import { list } from './api';
import { dayOffset, featureId, layer, shown } from './data';
import { h, s } from './dom';
import { day, month, option, t } from './messages';

const ROW_PX = 18;
const LABEL_PX = 190;
const DAY_PX = 1.6;

const ACTIVITY_COLOUR: Record<string, string> = {
  nts: '#f0a202',
  ts: '#e6550d',
  clearance: '#d7301f',
  repair: '#2b8cbe',
};

interface Unit {
  id: string;
  code: string;
  label: string;
  organisation: string;
  members: string[];
}

interface WireContract {
  person_id?: string;
  organisation_id?: string;
  start?: string;
  end?: string;
  window?: [string, string] | { start: string; end: string };
}

/** Contract window of a wire contract, whatever shape the API gives it. */
function windowOf(c: WireContract): [string, string] | null {
  if (Array.isArray(c.window)) return c.window;
  if (c.window && 'start' in c.window) return [c.window.start, c.window.end];
  return c.start && c.end ? [c.start, c.end] : null;
}

export async function ganttPage(): Promise<HTMLElement> {
  const page = h('section', { class: 'page', id: 'gantt-page' }, h('h2', {}, t('gantt.title')));
  const plan = shown.plan;
  if (!plan) {
    page.append(h('p', { class: 'muted', id: 'gantt-empty' }, t('gantt.empty')));
    return page;
  }
  const [teams, crews, contracts, orgs] = await Promise.all([
    layer('teams'),
    layer('crews'),
    list<WireContract>('/api/contracts').catch(() => []),
    list<{ id: string; name: string }>('/api/organisations').catch(() => []),
  ]);
  const orgName = new Map(orgs.map((o) => [o.id, o.name]));
  const units = new Map<string, Unit>();
  for (const f of [...teams.features, ...crews.features]) {
    const p = f.properties;
    const org = String(p.organisation ?? p.organisation_name ?? orgName.get(String(p.organisation_id)) ?? t('gantt.unknown_org'));
    units.set(featureId(f), {
      id: featureId(f),
      code: String(p.code ?? ''),
      label: `${p.code ?? ''} ${p.method !== undefined ? option('method', p.method) : option('trade', p.trade ?? '')}`,
      organisation: orgName.get(org) ?? org,
      members: Array.isArray(p.members) ? (p.members as string[]) : [],
    });
  }
  const windows = new Map<string, [string, string][]>();
  for (const c of contracts) {
    const w = windowOf(c);
    if (!w) continue;
    for (const key of [c.person_id, c.organisation_id]) {
      if (!key) continue;
      windows.set(key, [...(windows.get(key) ?? []), w]);
    }
  }
  const rows = plan.itineraries
    .map((it) => {
      const fallback = `${it.unit_code} ${option(it.kind.type === 'team' ? 'method' : 'trade', it.kind.value)}`;
      const unit = units.get(it.unit_id) ?? { id: it.unit_id, code: it.unit_code, label: fallback, organisation: t('gantt.unknown_org'), members: [] };
      return { it, unit };
    })
    .sort((a, b) => a.unit.organisation.localeCompare(b.unit.organisation) || a.unit.code.localeCompare(b.unit.code));

  const lastDay = Math.max(30, ...plan.items.map((i) => i.finish_day));
  const width = LABEL_PX + lastDay * DAY_PX + 20;
  const svg = s('svg', { class: 'gantt', id: 'gantt' });
  let y = 24;
  let org = '';
  const x = (date: string) => LABEL_PX + Math.max(0, Math.min(lastDay, dayOffset(plan.start_date, date))) * DAY_PX;
  // Month ticks across the top.
  for (let d = 0; d <= lastDay; d += 30) {
    const date = new Date(Date.parse(plan.start_date) + d * 86_400_000).toISOString().slice(0, 7);
    svg.append(s('text', { x: LABEL_PX + d * DAY_PX, y: 14 }, month(date)));
  }
  for (const { it, unit } of rows) {
    if (unit.organisation !== org) {
      org = unit.organisation;
      y += 6;
      svg.append(s('text', { x: 4, y: y + 12, class: 'org' }, org));
      y += ROW_PX;
    }
    const unitWindows = unit.members.flatMap((m) => windows.get(m) ?? []);
    const shaded = unitWindows.length ? [[unitWindows.map((w) => w[0]).sort()[0], unitWindows.map((w) => w[1]).sort().at(-1)!]] : [];
    for (const [start, end] of shaded) {
      svg.append(s('rect', { x: x(start), y, width: Math.max(1, x(end) - x(start)), height: ROW_PX - 2, fill: '#e3ece6' }, s('title', {}, t('gantt.contract', { start: day(start), end: day(end) }))));
    }
    svg.append(s('text', { x: 12, y: y + 12 }, unit.label));
    for (const index of it.items) {
      const item = plan.items[index];
      if (!item) continue;
      const colour = ACTIVITY_COLOUR[item.kind.type] ?? '#777';
      svg.append(
        s(
          'rect',
          { x: LABEL_PX + item.start_day * DAY_PX, y: y + 2, width: Math.max(1.5, (item.finish_day - item.start_day) * DAY_PX), height: ROW_PX - 6, fill: colour, class: 'bar' },
          s('title', {}, `${item.subject.code}: ${option('activity', item.kind.type)}${item.kind.trade ? ` (${option('trade', item.kind.trade)})` : ''}, ${day(item.start)} – ${day(item.end)}`),
        ),
      );
    }
    y += ROW_PX;
  }
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(y + 10));
  const key = h(
    'p',
    { class: 'muted' },
    ...Object.entries(ACTIVITY_COLOUR).flatMap(([k, c]) => [h('span', { class: 'swatch', style: `background:${c}` }), ` ${option('activity', k)}  `]),
    h('span', { class: 'swatch', style: 'background:#e3ece6' }),
    ` ${t('gantt.contract_period')}`,
  );
  const summary = t('gantt.summary', { plan: plan.name, units: rows.length, tasks: plan.items.length, start: day(plan.start_date) });
  page.append(h('p', {}, summary), key, h('div', { class: 'gantt-wrap' }, svg));
  return page;
}
