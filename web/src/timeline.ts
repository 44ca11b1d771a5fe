// The summary counters and the timeline slider: moving the slider over the loaded plan's
// dates recolours the map and recounts what is released and restored by that date.
// `relabel` draws the same figures again in a new language.

import { currentSummary, dateAt, dayOffset, figuresAt, shown } from './data';
import { h, num } from './dom';
import { day as dayText, t } from './messages';
import { paintForDay } from './map/layers';
import type { MapView } from './map/view';

export class Timeline {
  readonly root: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly dateLabel: HTMLElement;
  private readonly dateTitle: HTMLElement;
  private readonly sliderBox: HTMLElement;
  private readonly counters: HTMLElement;

  constructor(private readonly view: MapView) {
    this.slider = h('input', { type: 'range', min: 0, max: 0, value: 0, step: 1, id: 'timeline', 'aria-label': t('timeline.plan_date') });
    this.dateLabel = h('span', { class: 'timeline-date', id: 'timeline-date' });
    this.dateTitle = h('strong', {}, t('timeline.plan_date'));
    this.sliderBox = h('div', { class: 'timeline', hidden: true }, h('div', { class: 'timeline-head' }, this.dateTitle, ' ', this.dateLabel), this.slider);
    this.counters = h('div', { class: 'counters', id: 'counters' });
    this.root = h('div', { class: 'timeline-box' }, this.sliderBox, this.counters);
    this.slider.addEventListener('input', () => this.moveTo(Number(this.slider.value)));
    view.loaded.then(() => this.planChanged());
  }

  /** Resets the slider to the new plan (or hides it without one). */
  planChanged(): void {
    const plan = shown.plan;
    if (!plan) {
      this.sliderBox.hidden = true;
      void this.recordedCounters();
      return;
    }
    const end = plan.indicators.programme_end ?? plan.penalty_date;
    const last = Math.max(1, dayOffset(plan.start_date, end));
    this.slider.max = String(last);
    this.slider.value = '0';
    this.sliderBox.hidden = false;
    this.moveTo(0);
  }

  /** Draws the slider's title and the counters again, in the language now chosen. */
  relabel(): void {
    this.slider.setAttribute('aria-label', t('timeline.plan_date'));
    this.dateTitle.textContent = t('timeline.plan_date');
    if (shown.plan) this.moveTo(shown.day);
    else void this.recordedCounters();
  }

  /** Shows day `day` of the plan on the map and in the counters. */
  moveTo(day: number): void {
    const plan = shown.plan;
    if (!plan) return;
    const date = dateAt(plan.start_date, day);
    shown.day = day;
    this.dateLabel.textContent = dayText(date);
    this.dateLabel.dataset.date = date;
    this.slider.value = String(day);
    const map = this.view.map;
    if (map.getLayer('hazard-areas-fill')) paintForDay(map, day);

    // Every figure at the date comes from the plan's own day-by-day figures, as the
    // dashboard's and the plan card's do.
    const at = figuresAt(plan, date);
    const released = at?.hazards_released ?? 0;
    this.render([
      ['released', t('counter.released'), t('timeline.of', { done: released, total: plan.hazards.length })],
      ['released-km2', t('counter.released_km2'), at ? `${num(at.released_km2, 1)} km²` : '–'],
      ['restored', t('counter.restored'), t('timeline.of', { done: at?.assets_restored ?? 0, total: plan.assets.length })],
      ['road-km', t('counter.road_km'), at ? `${num(at.road_km_reopened, 1)} km` : '–'],
      ['rail-km', t('counter.rail_km'), at ? `${num(at.rail_km_reopened, 1)} km` : '–'],
      ['power', t('counter.power'), at ? `${num(100 * at.power_population_share, 1)} %` : '–'],
    ]);
    this.counters.dataset.released = String(released);
    this.counters.dataset.releasedKm2 = String(at?.released_km2 ?? '');
    this.counters.dataset.restored = String(at?.assets_restored ?? '');
  }

  /** Counters of the register as recorded, when no plan is loaded. */
  private async recordedCounters(): Promise<void> {
    try {
      const s = await currentSummary();
      const km2 = s.hazard_km2 ?? {};
      const total = (status: string) => Object.values(km2).reduce((sum, byStatus) => sum + (byStatus[status] ?? 0), 0);
      const hazards = this.view.data['hazard-areas']?.features ?? [];
      const released = hazards.filter((f) => f.properties.status === 'closed' || f.properties.status === 'handed_over').length;
      const rows: [string, string, string | null][] = [
        ['hazards', t('counter.hazards'), num(s.hazard_areas ?? hazards.length)],
        ['released', t('counter.released_recorded'), num(released)],
        ['open-km2', t('counter.open_km2'), s.hazard_km2 ? `${num(total('open') + total('worked_on'), 1)} km²` : null],
        ['assets', t('counter.assets'), s.assets === undefined ? null : `${num(s.assets)} (${num(s.damaged_assets)})`],
        ['road-km', t('counter.damaged_road'), s.damaged_road_km === undefined ? null : `${num(s.damaged_road_km, 1)} km`],
        ['rail-km', t('counter.damaged_rail'), s.damaged_rail_km === undefined ? null : `${num(s.damaged_rail_km, 1)} km`],
        ['reopened-km', t('counter.reopened'), s.reopened_road_km === undefined ? null : `${num(s.reopened_road_km, 1)} / ${num(s.reopened_rail_km ?? 0, 1)} km`],
        // Roles that may not read people get no workforce counts.
        ['workforce', t('counter.workforce'), s.deminers == null ? null : `${num(s.deminers)} / ${num(s.reconstruction_workers ?? s.workers ?? 0)}`],
        ['units', t('counter.units'), s.teams === undefined ? null : `${num(s.teams)} / ${num(s.crews)}`],
      ];
      // The server may count less than the command line does: show what it gives.
      this.render(rows.filter((r): r is [string, string, string] => r[2] !== null));
      this.counters.dataset.released = String(released);
    } catch (err) {
      this.counters.replaceChildren(h('p', { class: 'error' }, t('timeline.summary_error', { reason: (err as Error).message })));
    }
  }

  private render(rows: [string, string, string][]): void {
    this.counters.replaceChildren(
      ...rows.map(([id, label, value]) => h('div', { class: 'counter', 'data-counter': id }, h('span', { class: 'counter-value' }, value), h('span', { class: 'counter-label' }, label))),
    );
  }
}
