// A team leader's day: the planned work of their own team or crew in the plan on show,
// from today on (or from the plan's start when it starts later), each task with its dates,
// its hazard area or asset and a button that shows it on the map.

import { featureId, layer, shown } from './data';
import { h, num } from './dom';
import { bbox } from './map/layers';
import { day, option, t } from './messages';
import { type Hit, OPEN_RECORD } from './search';
import { session } from './session';

export async function tasksPage(): Promise<HTMLElement> {
  const page = h('section', { class: 'page', id: 'tasks-page' }, h('h2', {}, t('tasks.title')));
  const plan = shown.plan;
  const unit = session.user?.team_id ?? null;
  if (!plan) {
    page.append(h('p', { class: 'muted', id: 'tasks-none' }, t('tasks.no_plan')));
    return page;
  }
  if (!unit) {
    page.append(h('p', { class: 'muted', id: 'tasks-none' }, t('tasks.no_unit')));
    return page;
  }
  const today = new Date().toISOString().slice(0, 10);
  const from = today > plan.start_date ? today : plan.start_date;
  const mine = plan.items.filter((i) => i.unit_id === unit).sort((a, b) => a.start.localeCompare(b.start));
  const coming = mine.filter((i) => i.end >= from);
  page.append(h('p', { class: 'muted' }, t('tasks.intro', { plan: plan.name, from: day(from), n: num(coming.length), all: num(mine.length) })));
  if (!coming.length) {
    page.append(h('p', { class: 'muted', id: 'tasks-none' }, t('tasks.none')));
    return page;
  }
  // The map opens on the record as it does for a search hit (`main.ts` listens).
  const show = async (record: string, id: string, code: string) => {
    const name = record === 'hazard_area' ? 'hazard-areas' : 'assets';
    const f = (await layer(name)).features.find((x) => featureId(x) === id);
    const box = f ? bbox(f.geometry as GeoJSON.Geometry) : null;
    const hit: Hit = { kind: record === 'hazard_area' ? 'hazard_area' : 'asset', href: '', id, code, label: code, bbox: box };
    window.dispatchEvent(new CustomEvent<Hit>(OPEN_RECORD, { detail: hit }));
  };
  page.append(
    h(
      'table',
      { class: 'list', id: 'tasks' },
      h('tr', {}, ...[t('tasks.from'), t('tasks.to'), t('tasks.task'), t('tasks.record'), t('tasks.work'), ''].map((c) => h('th', {}, c))),
      ...coming.map((i) =>
        h(
          'tr',
          { 'data-unit': i.unit_code, 'data-code': i.subject.code },
          h('td', {}, day(i.start)),
          h('td', {}, day(i.end)),
          h('td', {}, option('activity', i.kind.type) + (i.kind.trade ? ` (${option('trade', i.kind.trade)})` : '')),
          h('td', {}, i.subject.code),
          h('td', {}, i.subject.record === 'hazard_area' ? `${num(i.work)} m²` : `${num(i.work, 1)} ${t('tasks.person_days')}`),
          h('td', {}, h('button', { type: 'button', class: 'secondary', onclick: () => void show(i.subject.record, i.subject.id, i.subject.code) }, t('tasks.on_map'))),
        ),
      ),
    ),
  );
  return page;
}
