// The report form, made for a team leader's phone: the kind, the hazard area (typed by code
// or tapped on the map), the date, the land worked drawn on a small map, the outcome areas
// prefilled from the drawn polygon, hours, ordnance finds, and the kind's own fields
// (docs/reports.md). A report that cannot reach the server waits in the outbox with its
// client id; the server's field problems show beside their fields.

import maplibregl, { type GeoJSONSource, type MapMouseEvent } from 'maplibre-gl';
import {
  ApiError,
  type HazardAreaRecord,
  type Report,
  type ReportIn,
  type ReportKind,
  firstPage,
  get,
  hazardArea,
  reportCreate,
  reportTransition,
  reportUpdate,
} from './api';
import { layer } from './data';
import { h, num } from './dom';
import { clearDraft, counterClockwise, drawPolygon } from './map/draw';
import { baseStyle, bbox, centres } from './map/layers';
import { REGION_BOUNDS, controlTitles } from './map/view';
import { day, label, option, t } from './messages';
import { type Pending, drop, flush, keep, newClientId, pending, retryable, watch } from './outbox';
import { session } from './session';

type Input = 'number' | 'text' | 'textarea' | 'select' | 'bool';

/** One input of a kind's body. */
interface FieldSpec {
  name: string;
  input: Input;
  options?: readonly string[];
  min?: number;
  max?: number;
  step?: number;
  /** Left out of the body when empty (`null` for a column of a row). */
  optional?: boolean;
}

/** A repeatable list of rows: ordnance finds, markers, victims. */
interface RowsSpec {
  name: string;
  columns: FieldSpec[];
}

/** What the form asks for one kind of report. */
interface KindSpec {
  hazard: 'required' | 'optional' | null;
  /** The body key of the unit, and whether it may be left out. */
  unit: { key: 'team_id' | 'crew_id'; optional: boolean } | null;
  asset: boolean;
  polygon: { name: 'worked' | 'revised'; required: boolean } | null;
  /** A position (`lon`, `lat`), set by tapping the map. */
  point: boolean;
  fields: FieldSpec[];
  rows: RowsSpec[];
}

const CATEGORIES = ['ap_mine', 'av_mine', 'uxo', 'submunition', 'ied', 'abandoned_ordnance', 'small_arms_ammunition'] as const;
const m2 = (name: string): FieldSpec => ({ name, input: 'number', min: 0, step: 0.1 });
const ORDNANCE: RowsSpec = {
  name: 'ordnance',
  columns: [
    { name: 'category', input: 'select', options: CATEGORIES },
    { name: 'count', input: 'number', min: 1, step: 1 },
    { name: 'disposal', input: 'select', options: ['destroyed_in_situ', 'removed'] },
  ],
};
const TEAM = { key: 'team_id', optional: false } as const;

/** Every kind the form files, with the fields of docs/reports.md. */
export const KINDS: Record<ReportKind, KindSpec> = {
  daily_progress: {
    hazard: 'required',
    unit: TEAM,
    asset: false,
    polygon: { name: 'worked', required: true },
    point: false,
    fields: [m2('cancelled_m2'), m2('reduced_m2'), m2('cleared_m2'), { name: 'hours', input: 'number', min: 0, max: 24, step: 0.5 }],
    rows: [ORDNANCE],
  },
  non_technical_survey: {
    hazard: 'required',
    unit: TEAM,
    asset: false,
    polygon: { name: 'revised', required: false },
    point: false,
    fields: [
      { name: 'outcome', input: 'select', options: ['confirmed', 'cancelled'] },
      { name: 'evidence', input: 'textarea' },
    ],
    rows: [],
  },
  technical_survey: {
    hazard: 'required',
    unit: TEAM,
    asset: false,
    polygon: { name: 'revised', required: false },
    point: false,
    fields: [
      { name: 'outcome', input: 'select', options: ['confirmed', 'no_evidence'] },
      { name: 'evidence', input: 'textarea' },
    ],
    rows: [ORDNANCE],
  },
  completion: {
    hazard: 'required',
    unit: TEAM,
    asset: false,
    polygon: null,
    point: false,
    fields: [m2('cleared_m2'), { name: 'depth_cm', input: 'number', min: 0, max: 500, step: 1 }, { name: 'summary', input: 'textarea' }],
    rows: [],
  },
  handover: {
    hazard: 'required',
    unit: null,
    asset: false,
    polygon: null,
    point: false,
    fields: [
      { name: 'received_by', input: 'text' },
      { name: 'residual_risk_owner', input: 'text' },
    ],
    rows: [
      {
        name: 'markers',
        columns: [
          { name: 'label', input: 'text' },
          { name: 'lon', input: 'number', step: 0.000001 },
          { name: 'lat', input: 'number', step: 0.000001 },
        ],
      },
    ],
  },
  incident: {
    hazard: 'optional',
    unit: { key: 'team_id', optional: true },
    asset: false,
    polygon: null,
    point: true,
    fields: [
      { name: 'category', input: 'select', options: ['accident', 'incident'] },
      { name: 'description', input: 'textarea' },
    ],
    rows: [
      {
        name: 'victims',
        columns: [
          { name: 'name', input: 'text' },
          { name: 'age', input: 'number', min: 0, max: 120, step: 1, optional: true },
          { name: 'sex', input: 'select', options: ['female', 'male', 'unknown'] },
          { name: 'injury', input: 'select', options: ['injured', 'killed'] },
        ],
      },
    ],
  },
  reconstruction_progress: {
    hazard: null,
    unit: { key: 'crew_id', optional: false },
    asset: true,
    polygon: null,
    point: false,
    fields: [
      { name: 'percent_done', input: 'number', min: 0, max: 100, step: 1 },
      { name: 'restored', input: 'bool' },
      { name: 'hours', input: 'number', min: 0, max: 24, step: 0.5 },
    ],
    rows: [],
  },
};

/** The outcome areas may differ from the drawn polygon by this share (the server's tolerance). */
const SPLIT_TOLERANCE = 0.05;

let formMap: maplibregl.Map | null = null;

/** `#/reports/new` (a fresh report) or `#/reports/new/<client id>` (a refused report from the outbox, to correct). */
export async function reportFormPage(args: string[]): Promise<HTMLElement> {
  const user = session.user?.username ?? '';
  const fromOutbox = args[0] ? pending(user).find((p) => p.client_id === args[0]) : undefined;
  const form = new ReportForm(user, fromOutbox ?? null);
  return h('section', { class: 'page reports-page', id: 'report-new' }, h('h2', {}, t('form.title')), outboxPanel(user), form.root);
}

/** `#/reports/<id>/edit`: a draft, corrected by the team leader who filed it. */
export function reportEditPage(editing: Editing): HTMLElement {
  const user = session.user?.username ?? '';
  const form = new ReportForm(user, null, editing);
  return h(
    'section',
    { class: 'page reports-page', id: 'report-edit', 'data-id': editing.report.id },
    h('a', { href: `#/reports/${encodeURIComponent(editing.report.id)}`, class: 'back' }, `← ${editing.report.code}`),
    h('h2', {}, t('form.edit_title', { code: editing.report.code })),
    form.root,
  );
}

/** The outbox: how many reports wait on this device, those the server refused, and a button to send now. */
export function outboxPanel(user: string): HTMLElement {
  const box = h('div', { class: 'outbox', id: 'outbox', 'aria-live': 'polite' });
  const render = () => {
    if (!box.isConnected && box.dataset.rendered) {
      stop();
      return;
    }
    box.dataset.rendered = 'true';
    const items = pending(user);
    const waiting = items.filter((p) => !p.refused);
    const refused = items.filter((p) => p.refused);
    box.dataset.count = String(items.length);
    box.hidden = items.length === 0;
    const send = h('button', { type: 'button', class: 'secondary', id: 'outbox-send' }, t('outbox.send'));
    send.addEventListener('click', async () => {
      send.disabled = true;
      await flush(user);
      render();
    });
    box.replaceChildren(
      h('p', { id: 'outbox-count' }, t('outbox.count', { n: items.length }), ' ', waiting.length ? send : null),
      ...refused.map((p) => refusedRow(p)),
    );
  };
  const stop = watch(render);
  render();
  return box;
}

function refusedRow(p: Pending): HTMLElement {
  const what = [option('kind', p.report.kind), day(String(p.report.date ?? ''))].filter(Boolean).join(' · ');
  return h(
    'div',
    { class: 'outbox-refused', 'data-client-id': p.client_id },
    h('strong', {}, what),
    h('p', { class: 'error' }, t('outbox.refused', { reason: p.refused ?? '' })),
    h(
      'div',
      { class: 'actions' },
      h('a', { class: 'button', href: `#/reports/new/${encodeURIComponent(p.client_id)}` }, t('outbox.edit')),
      h('button', { type: 'button', class: 'secondary', onclick: () => drop(p.client_id) }, t('outbox.discard')),
    ),
  );
}

/** Today's date on this device, `YYYY-MM-DD`. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

type Polygonal = GeoJSON.Polygon | GeoJSON.MultiPolygon;

/** A draft opened for editing, with the ETag it was read with. */
export interface Editing {
  report: Report;
  etag: string | null;
}

/** What fills the form: a report's fields side by side, and the server's refusal of it, if any. */
interface Filled {
  report: ReportIn;
  refused?: string | null;
  errors?: { field: string; problem: string }[];
}

/** A team or crew as its record list gives it. */
interface Unit {
  id: string;
  code: string;
  name?: string;
}

class ReportForm {
  readonly root: HTMLFormElement;
  private clientId = newClientId();
  private chosen: HazardAreaRecord | null = null;
  private assetId: string | null = null;
  private polygon: Polygonal | null = null;
  private drawing: ReturnType<typeof drawPolygon> | null = null;
  private readonly slots = new Map<string, HTMLElement>();
  private readonly map: maplibregl.Map;
  private readonly kind: HTMLSelectElement;
  private readonly hazardInput: HTMLInputElement;
  private readonly hazardInfo: HTMLElement;
  private readonly assetInput: HTMLInputElement;
  private readonly unit: HTMLSelectElement;
  private readonly date: HTMLInputElement;
  private readonly lon: HTMLInputElement;
  private readonly lat: HTMLInputElement;
  private readonly hint: HTMLElement;
  private readonly areaLine: HTMLElement;
  private readonly split: HTMLElement;
  private readonly kindFields: HTMLElement;
  private readonly general: HTMLElement;
  private readonly done: HTMLElement;
  private readonly blocks: Record<'hazard' | 'asset' | 'unit' | 'polygon' | 'point', HTMLElement>;
  /** Inputs of the kind's own fields, rebuilt when the kind changes. */
  private inputs = new Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>();
  private rowLists = new Map<string, { spec: RowsSpec; list: HTMLElement }>();
  /** Whether the outcome areas still hold what the form prefilled (the user has not typed in them). */
  private splitIsPrefilled = true;
  /** The outbox entry being corrected, dropped once the corrected report is filed or queued. */
  private readonly replacing: string | null;

  constructor(
    private readonly user: string,
    from: Pending | null,
    /** A draft being edited: it keeps its client id and kind, and is saved with a PUT. */
    private readonly editing: Editing | null = null,
  ) {
    this.replacing = from?.client_id ?? null;
    if (editing) this.clientId = editing.report.client_id;
    this.kind = h(
      'select',
      { id: 'r-kind', name: 'kind' },
      ...(Object.keys(KINDS) as ReportKind[]).map((k) => h('option', { value: k }, option('kind', k))),
    );
    this.hazardInput = h('input', { id: 'r-hazard', name: 'hazard_area', list: 'r-hazard-codes', autocomplete: 'off', placeholder: 'HA-0042', inputmode: 'text' });
    this.hazardInfo = h('p', { class: 'muted', id: 'r-hazard-info' });
    this.assetInput = h('input', { id: 'r-asset', name: 'asset', list: 'r-asset-codes', autocomplete: 'off' });
    this.unit = h('select', { id: 'r-unit', name: 'unit' });
    this.date = h('input', { id: 'r-date', name: 'date', type: 'date', value: today(), max: today() });
    this.lon = h('input', { id: 'r-lon', name: 'lon', type: 'number', step: 0.000001 });
    this.lat = h('input', { id: 'r-lat', name: 'lat', type: 'number', step: 0.000001 });
    this.hint = h('p', { class: 'muted', id: 'r-draw-hint' }, t('form.draw.start'));
    this.areaLine = h('p', { id: 'r-polygon-area' });
    this.split = h('p', { id: 'r-split' });
    this.kindFields = h('div', { id: 'r-kind-fields' });
    this.general = h('p', { class: 'error', id: 'r-error', role: 'alert' });
    this.done = h('div', { class: 'ok', id: 'r-done', 'aria-live': 'polite' });

    const canvas = h('div', { class: 'report-map', id: 'report-map' });
    const drawButton = h('button', { type: 'button', class: 'secondary', id: 'r-draw' }, t('form.draw'));
    const finishButton = h('button', { type: 'button', class: 'secondary', id: 'r-finish', onclick: () => this.drawing?.finish() }, t('form.finish'));
    const clearButton = h('button', { type: 'button', class: 'secondary', id: 'r-clear', onclick: () => this.setPolygon(null) }, t('form.clear'));
    drawButton.addEventListener('click', () => void this.draw());
    const pasted = h('textarea', { id: 'r-geojson', rows: 3, placeholder: '{"type": "Polygon", "coordinates": …}' });
    const paste = h(
      'details',
      { id: 'r-paste' },
      h('summary', {}, t('form.paste')),
      h('p', { class: 'muted' }, t('form.paste.help')),
      pasted,
      h('button', { type: 'button', class: 'secondary', id: 'r-use-geojson', onclick: () => this.usePasted(pasted.value) }, t('form.paste.use')),
    );

    this.blocks = {
      hazard: this.row('hazard_area_id', t('field.hazard_area'), this.hazardInput, this.hazardInfo, h('datalist', { id: 'r-hazard-codes' })),
      asset: this.row('asset_id', t('field.asset'), this.assetInput, h('datalist', { id: 'r-asset-codes' })),
      unit: this.row('unit', t('field.unit'), this.unit),
      polygon: h('div', { class: 'field-row', id: 'r-polygon' }, h('label', { id: 'r-polygon-label' }), this.slot('polygon')),
      point: h(
        'div',
        { class: 'field-row two' },
        h('label', {}, t('field.position'), h('span', { class: 'muted' }, ` ${t('form.point.help')}`)),
        h('div', { class: 'pair' }, this.lon, this.lat),
        this.slot('lon'),
        this.slot('lat'),
      ),
    };
    const mapBlock = h('div', { class: 'map-block' }, canvas, h('div', { class: 'actions' }, drawButton, finishButton, clearButton), this.hint, this.areaLine, paste);
    this.blocks.polygon.insertBefore(mapBlock, this.blocks.polygon.lastChild);

    const submit = h('button', { type: 'submit', id: 'r-submit' }, t('form.submit'));
    const draft = h('button', { type: 'button', class: 'secondary', id: 'r-save-draft' }, t('form.save_draft'));
    this.root = h(
      'form',
      { class: 'report-form', id: 'report-form', novalidate: true },
      this.row('kind', t('field.kind'), this.kind),
      this.blocks.hazard,
      this.blocks.asset,
      this.blocks.unit,
      this.row('date', t('field.date'), this.date),
      this.blocks.point,
      this.blocks.polygon,
      this.kindFields,
      h('div', { class: 'actions sticky' }, submit, draft),
      this.general,
      this.done,
    );
    this.root.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.send(true, [submit, draft]);
    });
    draft.addEventListener('click', () => void this.send(false, [submit, draft]));
    this.kind.addEventListener('change', () => this.kindChanged());
    this.hazardInput.addEventListener('change', () => void this.chooseHazard(this.hazardInput.value));
    this.assetInput.addEventListener('change', () => void this.chooseAsset(this.assetInput.value));

    formMap?.remove();
    this.map = new maplibregl.Map({ container: canvas, style: baseStyle(), bounds: REGION_BOUNDS, attributionControl: false, maxZoom: 19 });
    formMap = this.map;
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    controlTitles(canvas);
    this.map.on('load', () => void this.mapLoaded(from ? { report: from.report, refused: from.refused, errors: from.errors } : editing ? { report: { ...editing.report.body, client_id: editing.report.client_id, kind: editing.report.kind } } : null));
    this.map.on('click', (e) => this.tapped(e));
    // A read-only handle for the browser tests.
    (window as unknown as { bonificaReportMap: unknown }).bonificaReportMap = this.map;
    this.kindChanged();
  }

  /** A labelled field with its error slot, named as the server names the field. */
  private row(name: string, text: string, ...inputs: (HTMLElement | null)[]): HTMLElement {
    const id = inputs[0]?.id;
    return h('div', { class: 'field-row', 'data-field': name }, h('label', { for: id }, text), ...inputs, this.slot(name));
  }

  private slot(name: string): HTMLElement {
    const slot = h('span', { class: 'field-error', 'data-error-for': name, role: 'alert' });
    this.slots.set(name, slot);
    return slot;
  }

  private spec(): KindSpec {
    return KINDS[this.kind.value as ReportKind] ?? KINDS.daily_progress;
  }

  private kindChanged(): void {
    const spec = this.spec();
    this.blocks.hazard.hidden = !spec.hazard;
    this.blocks.asset.hidden = !spec.asset;
    this.blocks.unit.hidden = !spec.unit;
    this.blocks.point.hidden = !spec.point;
    // The map stays for every kind: it is where a hazard area, an asset or a position is tapped.
    const polygon = spec.polygon;
    this.root.querySelector('#r-polygon .map-block .actions')?.toggleAttribute('hidden', !polygon);
    this.root.querySelector('#r-paste')?.toggleAttribute('hidden', !polygon);
    this.hint.hidden = !polygon;
    this.areaLine.hidden = !polygon;
    this.blocks.polygon.querySelector('label')!.textContent = polygon ? t(polygon.name === 'worked' ? 'field.worked' : 'field.revised') : t('field.map');
    const label = h('label', { for: 'r-hazard' });
    label.textContent = spec.hazard === 'optional' ? t('field.hazard_area_optional') : t('field.hazard_area');
    this.blocks.hazard.querySelector('label')?.replaceWith(label);
    this.slots.set('worked', this.slots.get('polygon')!);
    this.slots.set('revised', this.slots.get('polygon')!);
    this.slots.set('team_id', this.slots.get('unit')!);
    this.slots.set('crew_id', this.slots.get('unit')!);
    this.slots.set('hazard_area', this.slots.get('hazard_area_id')!);
    this.slots.set('based_on_version', this.slots.get('hazard_area_id')!);
    this.buildKindFields(spec);
    void this.fillUnits();
    if (spec.asset) void this.loadAssets();
    this.updateSplit();
  }

  private buildKindFields(spec: KindSpec): void {
    this.inputs = new Map();
    this.rowLists = new Map();
    const outcome = spec.polygon?.name === 'worked' ? spec.fields.filter((f) => f.name.endsWith('_m2')) : [];
    const rows: HTMLElement[] = [];
    for (const f of spec.fields) {
      const input = fieldInput(f, `r-${f.name}`);
      this.inputs.set(f.name, input);
      if (outcome.includes(f)) input.addEventListener('input', () => ((this.splitIsPrefilled = false), this.updateSplit()));
      const slot = this.slot(f.name);
      rows.push(
        f.input === 'bool'
          ? h('div', { class: 'field-row check', 'data-field': f.name }, h('label', {}, input, ' ', label(f.name)), slot)
          : h('div', { class: 'field-row', 'data-field': f.name }, h('label', { for: input.id }, label(f.name)), input, slot),
      );
      if (outcome.length && f === outcome[outcome.length - 1]) rows.push(this.split);
    }
    for (const r of spec.rows) {
      const list = h('div', { class: 'rows', id: `r-rows-${r.name}` });
      this.rowLists.set(r.name, { spec: r, list });
      const add = h('button', { type: 'button', class: 'secondary', id: `r-add-${r.name}`, onclick: () => this.addRow(r.name) }, t(`form.add.${r.name}` as 'form.add.ordnance'));
      rows.push(h('fieldset', { class: 'field-row rows-field', 'data-field': r.name }, h('legend', {}, label(r.name)), list, add, this.slot(r.name)));
    }
    this.kindFields.replaceChildren(...rows);
    if (this.splitIsPrefilled) this.prefillSplit();
  }

  /** Adds a row of a repeatable field, optionally filled. */
  private addRow(name: string, values: Record<string, unknown> = {}): void {
    const found = this.rowLists.get(name);
    if (!found) return;
    const { spec, list } = found;
    const index = list.children.length;
    const cells = spec.columns.map((c) => {
      const input = fieldInput(c, `r-${name}-${index}-${c.name}`, values[c.name]);
      input.dataset.column = c.name;
      return h('label', { class: 'cell' }, h('span', { class: 'muted' }, label(c.name)), input);
    });
    if (name === 'markers' && values.lon === undefined) {
      // A new marker starts where the map is centred: the user moves the map to the marker, or types.
      const c = this.map.getCenter();
      (cells[1].querySelector('input') as HTMLInputElement).value = c.lng.toFixed(6);
      (cells[2].querySelector('input') as HTMLInputElement).value = c.lat.toFixed(6);
    }
    const row = h('div', { class: 'row', 'data-row': index }, ...cells);
    row.append(h('button', { type: 'button', class: 'link remove', title: t('form.remove'), onclick: () => row.remove() }, '×'));
    list.append(row);
  }

  /** The team leader's own team or crew; for other roles, every unit they can see. */
  private async fillUnits(): Promise<void> {
    const spec = this.spec();
    if (!spec.unit) return;
    const own = session.user?.team_id ?? null;
    const kind = spec.unit.key === 'crew_id' ? 'crews' : 'teams';
    const name = (u: Unit) => [u.code, u.name].filter(Boolean).join(' · ');
    let choices: HTMLOptionElement[];
    if (own) {
      const mine = await get<Unit>(`/api/${kind}/${encodeURIComponent(own)}`).catch(() => null);
      choices = [h('option', { value: own }, mine ? name(mine) : t('form.unit.own'))];
    } else {
      const units = await firstPage<Unit>(`/api/${kind}`, 1000).catch(() => ({ items: [] as Unit[] }));
      choices = units.items.map((u) => h('option', { value: u.id }, name(u)));
    }
    if (spec.unit.optional || !choices.length) choices.unshift(h('option', { value: '' }, '—'));
    const before = this.unit.value;
    this.unit.replaceChildren(...choices);
    if (before && [...this.unit.options].some((o) => o.value === before)) this.unit.value = before;
    else if (own) this.unit.value = own;
  }

  private async mapLoaded(from: Filled | null): Promise<void> {
    const map = this.map;
    if (await connected(map.getContainer())) {
      map.resize();
      if (!this.chosen) map.fitBounds(REGION_BOUNDS, { padding: 10, animate: false });
    }
    map.addSource('chosen', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({ id: 'chosen-line', type: 'line', source: 'chosen', paint: { 'line-color': '#1f5f8b', 'line-width': 3 } });
    for (const name of ['regions', 'rivers', 'settlements'] as const) {
      layer(name)
        .then((fc) => {
          (map.getSource(name) as GeoJSONSource | undefined)?.setData(fc as GeoJSON.FeatureCollection);
          // The region's own outline frames the map until a hazard area or asset is chosen.
          const boxes = name === 'regions' ? fc.features.map((f) => bbox(f.geometry as GeoJSON.Geometry)).filter((b) => b !== null) : [];
          if (boxes.length && !this.chosen && !this.assetId) {
            const west = Math.min(...boxes.map((b) => b[0]));
            const south = Math.min(...boxes.map((b) => b[1]));
            map.fitBounds([[west, south], [Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))]], { padding: 10, animate: false });
          }
        })
        .catch(() => {});
    }
    try {
      const fc = (await layer('hazard-areas')) as GeoJSON.FeatureCollection;
      (map.getSource('hazard-areas') as GeoJSONSource | undefined)?.setData(fc);
      (map.getSource('hazard-points') as GeoJSONSource | undefined)?.setData(centres(fc));
      const open = fc.features.filter((f) => f.properties?.status !== 'handed_over');
      this.root.querySelector('#r-hazard-codes')?.replaceChildren(
        ...open.slice(0, 5000).map((f) => h('option', { value: String(f.properties?.code ?? '') }, [option('classification', f.properties?.classification), option('status', f.properties?.status)].join(' · '))),
      );
    } catch (err) {
      this.general.textContent = t('form.no_hazards', { reason: (err as Error).message });
    }
    if (from) await this.fill(from);
    canvasReady(map);
  }

  private async loadAssets(): Promise<void> {
    try {
      const fc = (await layer('assets')) as GeoJSON.FeatureCollection;
      (this.map.getSource('assets') as GeoJSONSource | undefined)?.setData(fc);
      this.root.querySelector('#r-asset-codes')?.replaceChildren(
        ...fc.features.filter((f) => f.properties?.damage !== 'undamaged').slice(0, 5000).map((f) => h('option', { value: String(f.properties?.code ?? '') }, String(f.properties?.name ?? ''))),
      );
    } catch {
      // The asset code can still be typed.
    }
  }

  /** A tap on the map, when not drawing: the hazard area, asset or position of the report. */
  private tapped(e: MapMouseEvent): void {
    if (this.drawing) return;
    const spec = this.spec();
    if (spec.point) {
      this.lon.value = e.lngLat.lng.toFixed(6);
      this.lat.value = e.lngLat.lat.toFixed(6);
      (this.map.getSource('draft') as GeoJSONSource | undefined)?.setData({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [e.lngLat.lng, e.lngLat.lat] } });
    }
    const layers = spec.asset ? ['assets-points', 'assets-roads', 'assets-rail', 'assets-power', 'assets-areas'] : ['hazard-areas-fill', 'hazard-areas-dot'];
    const near = 6;
    const hit = this.map.queryRenderedFeatures(
      [
        [e.point.x - near, e.point.y - near],
        [e.point.x + near, e.point.y + near],
      ],
      { layers: layers.filter((id) => this.map.getLayer(id)) },
    )[0];
    const code = hit?.properties?.code;
    if (!code) return;
    if (spec.asset) {
      this.assetInput.value = String(code);
      void this.chooseAsset(String(code));
    } else if (spec.hazard) {
      this.hazardInput.value = String(code);
      void this.chooseHazard(String(code));
    }
  }

  /** Chooses the hazard area by code: fetches its current version, outlines and frames it. */
  private async chooseHazard(code: string, keepView = false): Promise<void> {
    const slot = this.slots.get('hazard_area_id')!;
    slot.textContent = '';
    const wanted = code.trim().toUpperCase();
    if (!wanted) {
      this.chosen = null;
      this.hazardInfo.textContent = '';
      this.outline(null);
      return;
    }
    const fc = await layer('hazard-areas').catch(() => null);
    const feature = fc?.features.find((f) => String(f.properties.code ?? '').toUpperCase() === wanted);
    if (!feature) {
      this.chosen = null;
      this.hazardInfo.textContent = '';
      slot.textContent = t('form.hazard.unknown', { code: wanted });
      return;
    }
    try {
      this.chosen = await hazardArea(String(feature.properties.id));
    } catch (err) {
      this.chosen = null;
      slot.textContent = (err as Error).message;
      return;
    }
    const a = this.chosen;
    this.hazardInput.value = a.code;
    this.hazardInfo.textContent = t('form.hazard.info', {
      classification: a.classification,
      status: option('status', a.status),
      area: num(a.area_m2),
      version: a.version,
      date: day(a.as_of),
    });
    this.hazardInfo.dataset.version = String(a.version);
    this.outline(a.geometry);
    const box = bbox(a.geometry);
    if (box && !keepView) {
      this.map.fitBounds(
        [
          [box[0], box[1]],
          [box[2], box[3]],
        ],
        { padding: 24, animate: false, maxZoom: 18 },
      );
    }
    if (this.spec().polygon?.name === 'revised' && !this.polygon) this.hint.textContent = t('form.draw.revised');
    if (this.kind.value === 'completion' && this.splitIsPrefilled) {
      const cleared = this.inputs.get('cleared_m2');
      if (cleared) cleared.value = String(Math.round(a.area_m2 * 10) / 10);
    }
  }

  private async chooseAsset(code: string): Promise<void> {
    const slot = this.slots.get('asset_id')!;
    slot.textContent = '';
    const wanted = code.trim().toUpperCase();
    const fc = await layer('assets').catch(() => null);
    const feature = fc?.features.find((f) => String(f.properties.code ?? '').toUpperCase() === wanted);
    this.assetId = feature ? String(feature.properties.id) : null;
    if (!feature) {
      if (wanted) slot.textContent = t('form.asset.unknown', { code: wanted });
      this.outline(null);
      return;
    }
    this.outline(feature.geometry as GeoJSON.Geometry);
    const box = bbox(feature.geometry as GeoJSON.Geometry);
    if (box) this.map.fitBounds([[box[0], box[1]], [box[2], box[3]]], { padding: 40, animate: false, maxZoom: 16 });
  }

  private outline(geometry: GeoJSON.Geometry | null): void {
    const source = this.map.getSource('chosen') as GeoJSONSource | undefined;
    source?.setData(geometry ? { type: 'Feature', properties: {}, geometry } : { type: 'FeatureCollection', features: [] });
  }

  private async draw(): Promise<void> {
    if (this.drawing) return;
    clearDraft(this.map);
    this.polygon = null;
    this.updateArea();
    document.body.dataset.drawing = 'true';
    this.drawing = drawPolygon(this.map, this.hint, (n) => (n < 3 ? t('form.draw.corner', { n: n + 1 }) : t('form.draw.close', { n })));
    const ring = await this.drawing.done;
    this.drawing = null;
    document.body.dataset.drawing = 'false';
    if (ring) this.setPolygon({ type: 'Polygon', coordinates: [ring] });
    else this.hint.textContent = t('form.draw.start');
  }

  private usePasted(text: string): void {
    const slot = this.slots.get('polygon')!;
    slot.textContent = '';
    try {
      this.setPolygon(polygonalOf(JSON.parse(text)));
    } catch (err) {
      slot.textContent = t('form.paste.bad', { reason: (err as Error).message });
    }
  }

  private setPolygon(polygon: Polygonal | null): void {
    this.drawing?.cancel();
    this.polygon = polygon;
    const source = this.map.getSource('draft') as GeoJSONSource | undefined;
    source?.setData(polygon ? { type: 'Feature', properties: {}, geometry: polygon } : { type: 'FeatureCollection', features: [] });
    this.hint.textContent = polygon ? t('form.draw.done', { n: corners(polygon) }) : t('form.draw.start');
    this.root.dataset.polygon = polygon ? 'true' : 'false';
    this.updateArea();
    if (this.splitIsPrefilled) this.prefillSplit();
    this.updateSplit();
  }

  private updateArea(): void {
    this.areaLine.textContent = this.polygon ? t('form.area', { area: num(polygonAreaM2(this.polygon)) }) : '';
    this.areaLine.dataset.m2 = this.polygon ? String(polygonAreaM2(this.polygon)) : '';
  }

  /** Puts the drawn polygon's whole area into "cleared": the team leader moves what was cancelled or reduced. */
  private prefillSplit(): void {
    if (this.spec().polygon?.name !== 'worked') return;
    const area = this.polygon ? Math.round(polygonAreaM2(this.polygon) * 10) / 10 : null;
    for (const name of ['cancelled_m2', 'reduced_m2', 'cleared_m2']) {
      const input = this.inputs.get(name);
      if (!input) continue;
      input.value = area === null ? '' : name === 'cleared_m2' ? String(area) : '0';
    }
  }

  private updateSplit(): void {
    const spec = this.spec();
    if (spec.polygon?.name !== 'worked' || !this.polygon) {
      this.split.textContent = '';
      return;
    }
    const area = polygonAreaM2(this.polygon);
    const sum = ['cancelled_m2', 'reduced_m2', 'cleared_m2'].reduce((s, n) => s + (Number(this.inputs.get(n)?.value) || 0), 0);
    const off = Math.abs(sum - area) > Math.max(area * SPLIT_TOLERANCE, 1);
    this.split.className = off ? 'error' : 'muted';
    this.split.textContent = t(off ? 'form.split.off' : 'form.split.ok', { sum: num(sum), area: num(area) });
  }

  /** Fills the form from a report: an outbox entry or a draft being corrected. */
  private async fill(from: Filled): Promise<void> {
    const r = from.report;
    this.kind.value = r.kind;
    this.kind.disabled = this.editing !== null;
    this.kindChanged();
    this.splitIsPrefilled = false;
    if (typeof r.date === 'string') this.date.value = r.date;
    const fc = await layer('hazard-areas').catch(() => null);
    const hazard = fc?.features.find((f) => String(f.properties.id) === String(r.hazard_area_id));
    if (hazard) await this.chooseHazard(String(hazard.properties.code));
    if (r.asset_id) {
      const assets = await layer('assets').catch(() => null);
      const asset = assets?.features.find((f) => String(f.properties.id) === String(r.asset_id));
      if (asset) {
        this.assetInput.value = String(asset.properties.code);
        await this.chooseAsset(this.assetInput.value);
      }
    }
    const unit = r.team_id ?? r.crew_id;
    if (typeof unit === 'string') {
      if (![...this.unit.options].some((o) => o.value === unit)) this.unit.append(h('option', { value: unit }, unit));
      this.unit.value = unit;
    }
    if (typeof r.lon === 'number') this.lon.value = String(r.lon);
    if (typeof r.lat === 'number') this.lat.value = String(r.lat);
    const spec = this.spec();
    if (spec.polygon && r[spec.polygon.name]) this.setPolygon(r[spec.polygon.name] as Polygonal);
    for (const [name, input] of this.inputs) {
      const v = r[name];
      if (v === undefined || v === null) continue;
      if (input instanceof HTMLInputElement && input.type === 'checkbox') input.checked = v === true;
      else input.value = String(v);
    }
    for (const name of this.rowLists.keys()) for (const row of (r[name] as Record<string, unknown>[] | undefined) ?? []) this.addRow(name, row);
    this.showProblems(from.refused ?? '', from.errors ?? []);
    this.updateSplit();
  }

  /** The report as the API takes it: the common fields and exactly the kind's fields. */
  private read(submit: boolean): { report: ReportIn; missing: string[] } {
    const spec = this.spec();
    const report: ReportIn = { client_id: this.clientId, kind: this.kind.value as ReportKind, date: this.date.value };
    const missing: string[] = [];
    if (submit) report.submit = true;
    if (!this.date.value) missing.push('date');
    if (spec.hazard) {
      if (this.chosen) {
        report.hazard_area_id = this.chosen.id;
        report.based_on_version = this.chosen.version;
      } else if (spec.hazard === 'required' || this.hazardInput.value.trim()) missing.push('hazard_area_id');
    }
    if (spec.unit) {
      if (this.unit.value) report[spec.unit.key] = this.unit.value;
      else if (!spec.unit.optional) missing.push('unit');
    }
    if (spec.asset) {
      if (this.assetId) report.asset_id = this.assetId;
      else missing.push('asset_id');
    }
    if (spec.polygon) {
      if (this.polygon) report[spec.polygon.name] = this.polygon;
      else if (spec.polygon.required) missing.push('polygon');
    }
    if (spec.point) {
      if (this.lon.value === '' || this.lat.value === '') missing.push('lon');
      report.lon = Number(this.lon.value);
      report.lat = Number(this.lat.value);
    }
    for (const f of spec.fields) {
      const value = valueOf(f, this.inputs.get(f.name)!);
      if (value === undefined) {
        if (!f.optional) missing.push(f.name);
        continue;
      }
      report[f.name] = value;
    }
    for (const [name, { spec: rows, list }] of this.rowLists) {
      report[name] = [...list.querySelectorAll<HTMLElement>('.row')].map((row) => {
        const item: Record<string, unknown> = {};
        for (const c of rows.columns) {
          const input = row.querySelector<HTMLInputElement | HTMLSelectElement>(`[data-column="${c.name}"]`)!;
          const value = valueOf(c, input);
          if (value === undefined) {
            if (c.optional) item[c.name] = null;
            else missing.push(name);
          } else item[c.name] = value;
        }
        return item;
      });
    }
    return { report, missing };
  }

  private async send(submit: boolean, buttons: HTMLButtonElement[]): Promise<void> {
    this.clearProblems();
    this.done.replaceChildren();
    const { report, missing } = this.read(submit);
    if (missing.length) {
      for (const name of new Set(missing)) this.problem(name, t('form.required'));
      this.general.textContent = t('form.incomplete');
      return;
    }
    for (const b of buttons) b.disabled = true;
    if (this.editing) {
      await this.saveDraft(report, submit);
      for (const b of buttons) b.disabled = false;
      return;
    }
    try {
      const filed = await reportCreate(report);
      this.filed(filed);
    } catch (err) {
      if (retryable(err)) {
        keep(this.user, report);
        this.queued();
      } else {
        // Nothing was filed: the corrected report goes with a fresh client id, so the
        // server cannot answer it with this refusal again.
        this.clientId = newClientId();
        this.showError(err);
      }
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  }

  /** Saves the edited draft (`PUT`, if it is still the version opened), then submits it when asked. */
  private async saveDraft(report: ReportIn, submit: boolean): Promise<void> {
    const { report: draft, etag } = this.editing!;
    const { submit: _, ...body } = report;
    try {
      await reportUpdate(draft.id, body as ReportIn, etag);
      if (submit) await reportTransition(draft.id, 'submit');
      location.hash = `#/reports/${encodeURIComponent(draft.id)}`;
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) this.general.textContent = t('form.stale');
      else this.showError(err);
    }
  }

  private filed(report: Report): void {
    if (this.replacing) drop(this.replacing);
    this.root.dataset.filed = report.id;
    this.done.replaceChildren(
      h('p', {}, t('form.filed', { code: report.code, state: option('state', report.state) }), ' ', h('a', { href: `#/reports/${encodeURIComponent(report.id)}`, id: 'r-open-filed' }, t('form.open'))),
    );
    this.reset();
  }

  private queued(): void {
    if (this.replacing) drop(this.replacing);
    this.done.replaceChildren(h('p', { id: 'r-queued' }, t('form.queued')));
    this.reset();
  }

  /** Ready for the next report of the day: same kind, area, unit and date; a new client id. */
  private reset(): void {
    this.clientId = newClientId();
    this.setPolygon(null);
    this.splitIsPrefilled = true;
    this.buildKindFields(this.spec());
    this.updateSplit();
  }

  private clearProblems(): void {
    for (const slot of this.slots.values()) slot.textContent = '';
    for (const el of this.root.querySelectorAll('.invalid')) el.classList.remove('invalid');
    this.general.textContent = '';
  }

  private problem(field: string, text: string): boolean {
    const name = field.replace(/^body\./, '');
    const key = [...this.slots.keys()].sort((a, b) => b.length - a.length).find((k) => name === k || name.startsWith(`${k}.`) || name.startsWith(`${k}[`));
    const slot = key ? this.slots.get(key) : undefined;
    if (!slot || !slot.isConnected) return false;
    slot.textContent = slot.textContent ? `${slot.textContent}; ${text}` : text;
    slot.parentElement?.querySelector('input, select, textarea')?.classList.add('invalid');
    return true;
  }

  private showProblems(detail: string, errors: { field: string; problem: string }[]): void {
    const unplaced = errors.filter((e) => !this.problem(e.field, e.problem)).map((e) => `${e.field}: ${e.problem}`);
    this.general.textContent = [detail, ...unplaced].filter(Boolean).join(' — ');
  }

  private showError(err: unknown): void {
    if (!(err instanceof ApiError)) {
      this.general.textContent = String(err);
      return;
    }
    const changes = err.problem.changes as { seen?: number; current?: number; fields?: string[] } | undefined;
    if (err.status === 409 && changes && this.chosen) {
      // The area changed since the team leader looked at it: show the current one and let
      // them check their polygon against it before sending again.
      const text = t('form.changed', {
        code: this.chosen.code,
        seen: changes.seen ?? '?',
        current: changes.current ?? '?',
        fields: (changes.fields ?? []).map((f) => label(f)).join(', '),
      });
      void this.chooseHazard(this.chosen.code, true).then(() => this.problem('hazard_area_id', text));
      this.general.textContent = text;
      return;
    }
    this.showProblems(err.detail || err.title, err.errors);
  }
}

/** Resolves once `el` is in the document (a page is built before it is shown), `false` after 5 s without. */
export async function connected(el: HTMLElement): Promise<boolean> {
  for (let i = 0; i < 100 && !el.isConnected; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return el.isConnected;
}

/** Marks the map ready once it has drawn, for people waiting on it and the tests. */
function canvasReady(map: maplibregl.Map): void {
  const done = () => (map.getContainer().dataset.ready = 'true');
  if (map.loaded()) done();
  else map.once('idle', done);
}

function fieldInput(f: FieldSpec, id: string, value?: unknown): HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement {
  const v = value === undefined || value === null ? '' : String(value);
  switch (f.input) {
    case 'select':
      return h('select', { id, name: f.name }, ...(f.options ?? []).map((o) => h('option', { value: o, selected: o === v }, option(f.name, o))));
    case 'textarea':
      return h('textarea', { id, name: f.name, rows: 3 }, v);
    case 'bool':
      return h('input', { id, name: f.name, type: 'checkbox', checked: value === true });
    case 'number':
      return h('input', { id, name: f.name, type: 'number', inputmode: 'decimal', min: f.min, max: f.max, step: f.step ?? 'any', value: v });
    default:
      return h('input', { id, name: f.name, value: v });
  }
}

/** An input's value for the body, `undefined` when empty. */
function valueOf(f: FieldSpec, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): unknown {
  if (f.input === 'bool') return (input as HTMLInputElement).checked;
  const raw = input.value.trim();
  if (f.input === 'number') return raw === '' ? undefined : Number(raw);
  if (f.input === 'textarea' || f.input === 'text') return raw === '' && f.optional ? undefined : raw;
  return raw === '' ? undefined : raw;
}

/** The polygon in a pasted GeoJSON text: a geometry, a feature, or the first feature of a collection. */
export function polygonalOf(value: unknown): Polygonal {
  const o = value as { type?: string; geometry?: unknown; features?: unknown[] };
  if (o?.type === 'FeatureCollection' && Array.isArray(o.features) && o.features.length) return polygonalOf(o.features[0]);
  if (o?.type === 'Feature') return polygonalOf(o.geometry);
  if (o?.type === 'Polygon' || o?.type === 'MultiPolygon') {
    const g = o as Polygonal;
    // Exterior rings wound counter-clockwise (RFC 7946), as when drawn.
    if (g.type === 'Polygon') return { type: 'Polygon', coordinates: g.coordinates.map((r, i) => (i === 0 ? counterClockwise(r as [number, number][]) : r)) };
    return g;
  }
  throw new Error(t('form.paste.not_polygon'));
}

function corners(p: Polygonal): number {
  const ring = p.type === 'Polygon' ? p.coordinates[0] : (p.coordinates[0]?.[0] ?? []);
  return Math.max(0, ring.length - 1);
}

const EARTH_RADIUS_M = 6_378_137;

/**
 * Area of a WGS 84 polygon in square metres, on the sphere of the equatorial radius
 * (within a few tenths of a percent of the server's geodesic area at these latitudes,
 * well inside the 5 % the server allows between outcome areas and the worked polygon).
 */
export function polygonAreaM2(p: Polygonal): number {
  const polygons = p.type === 'Polygon' ? [p.coordinates] : p.coordinates;
  let total = 0;
  for (const rings of polygons) {
    rings.forEach((ring, i) => {
      const a = Math.abs(ringArea(ring));
      total += i === 0 ? a : -a;
    });
  }
  return total;
}

function ringArea(ring: GeoJSON.Position[]): number {
  const rad = Math.PI / 180;
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[i + 1];
    sum += (x2 - x1) * rad * (2 + Math.sin(y1 * rad) + Math.sin(y2 * rad));
  }
  return (sum * EARTH_RADIUS_M * EARTH_RADIUS_M) / 2;
}
