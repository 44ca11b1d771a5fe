// Records: lists and forms to create and edit hazard areas (drawing the polygon on the map),
// assets, teams, crews and contracts. Validation errors from the API's problem+json
// (`errors: [{field, problem}]`) are shown beside their field. Labels and the words of
// enumerations come from the message catalogue; the values sent are the API's.

import maplibregl, { type GeoJSONSource } from 'maplibre-gl';
import { ApiError, firstPage, request } from './api';
import { featureId, forget, layer } from './data';
import { h } from './dom';
import { clearDraft, drawPolygon } from './map/draw';
import { baseStyle } from './map/layers';
import { REGION_BOUNDS } from './map/view';
import { type Key, day, option, t } from './messages';
import { canEdit } from './session';

type Kind = 'text' | 'number' | 'date' | 'bool' | 'select' | 'polygon' | 'json';

interface Field {
  /** The key in the request body. */
  name: string;
  label: Key;
  kind: Kind;
  options?: string[];
  /** The catalogue's group for the words of `options`, when it differs from `name`. */
  group?: string;
  required?: boolean;
  /** The record key that fills the field when editing, when it differs from `name`. */
  from?: string;
  /** The value of a new record's field. */
  initial?: unknown;
}

interface Collection {
  title: Key;
  /** The title of a new record's form and button. */
  fresh: Key;
  fields: Field[];
  /** Keys of the record copied unchanged into the body of an edit (the API replaces the whole record). */
  carry: string[];
  /** Map layer to refresh after a change. */
  layer?: 'hazard-areas' | 'assets' | 'teams' | 'crews';
}

const CONTAMINATION = ['ap_mines', 'av_mines', 'uxo', 'cluster_munitions', 'ied', 'abandoned_ordnance', 'mixed'];
const ASSET_KINDS = ['road_segment', 'bridge', 'railway_segment', 'power_line', 'substation', 'civil_building', 'military_structure', 'agricultural_depot', 'water_works', 'heating_works'];
const organisation: Field = { name: 'organisation', label: 'rf.organisation', kind: 'text', from: 'organisation_id' };
const codeField: Field = { name: 'code', label: 'rf.code', kind: 'text' };
const nameField: Field = { name: 'name', label: 'rf.name', kind: 'text', required: true };
const restrictedField: Field = { name: 'restricted', label: 'rf.restricted', kind: 'bool' };

/** The record kinds the forms edit, with the fields of the API's input types. */
export const COLLECTIONS: Record<string, Collection> = {
  'hazard-areas': {
    title: 'records.hazard-areas',
    fresh: 'records.new.hazard-areas',
    layer: 'hazard-areas',
    carry: ['region_id', 'as_of'],
    fields: [
      codeField,
      { name: 'classification', label: 'rf.classification', kind: 'select', options: ['SHA', 'CHA'], required: true, initial: 'SHA' },
      { name: 'contamination', label: 'rf.contamination', kind: 'select', options: CONTAMINATION, required: true },
      { name: 'terrain', label: 'rf.terrain', kind: 'select', options: ['flat', 'rolling', 'steep', 'wetland', 'urban'], required: true, initial: 'flat' },
      { name: 'vegetation', label: 'rf.vegetation', kind: 'select', options: ['none', 'light', 'medium', 'heavy'], required: true, initial: 'light' },
      { name: 'density_per_ha', label: 'rf.density_per_ha', kind: 'number' },
      { name: 'clearance_depth_cm', label: 'rf.clearance_depth_cm', kind: 'number', initial: 13 },
      { name: 'evidence', label: 'rf.evidence', kind: 'text', required: true },
      { ...organisation },
      restrictedField,
      { name: 'geometry', label: 'rf.polygon', kind: 'polygon', required: true },
    ],
  },
  assets: {
    title: 'records.assets',
    fresh: 'records.new.assets',
    layer: 'assets',
    carry: ['region_id', 'repair', 'depends_on', 'network_share', 'restored'],
    fields: [
      codeField,
      nameField,
      { name: 'kind', label: 'rf.asset_kind', kind: 'select', options: ASSET_KINDS, required: true },
      { name: 'damage', label: 'rf.damage', kind: 'select', options: ['undamaged', 'minor', 'moderate', 'severe', 'destroyed'], required: true },
      { name: 'population_served', label: 'rf.population_served', kind: 'number' },
      restrictedField,
      { name: 'geometry', label: 'rf.footprint', kind: 'json', required: true },
    ],
  },
  teams: {
    title: 'records.teams',
    fresh: 'records.new.teams',
    layer: 'teams',
    carry: ['region_id', 'members'],
    fields: [
      codeField,
      nameField,
      { ...organisation, required: true },
      { name: 'kind', label: 'rf.method', kind: 'select', options: ['manual', 'mechanical', 'mdd', 'bac', 'eod'], group: 'method', required: true },
      { name: 'base', label: 'rf.base', kind: 'json', required: true },
    ],
  },
  crews: {
    title: 'records.crews',
    fresh: 'records.new.crews',
    layer: 'crews',
    carry: ['region_id', 'members'],
    fields: [
      codeField,
      nameField,
      { ...organisation, required: true },
      { name: 'kind', label: 'rf.trade', kind: 'select', options: ['roads', 'bridges', 'rail', 'power', 'buildings', 'general'], group: 'trade', required: true },
      { name: 'base', label: 'rf.base', kind: 'json', required: true },
    ],
  },
  contracts: {
    title: 'records.contracts',
    fresh: 'records.new.contracts',
    carry: ['region_id'],
    fields: [
      codeField,
      { name: 'person_id', label: 'rf.person_id', kind: 'text', required: true },
      { ...organisation, required: true },
      { name: 'start', label: 'rf.start', kind: 'date', required: true },
      { name: 'end', label: 'rf.end', kind: 'date', required: true },
    ],
  },
};

/** `#/records/<collection>[/<id>|/new]`. */
export async function recordsPage(path: string[]): Promise<HTMLElement> {
  const [name = 'hazard-areas', id] = path;
  const collection = COLLECTIONS[name] ?? COLLECTIONS['hazard-areas'];
  const tabs = h('div', { class: 'tabs' }, ...Object.entries(COLLECTIONS).map(([key, c]) => h('a', { href: `#/records/${key}`, class: key === name ? 'active' : '', 'data-collection': key }, t(c.title))));
  const page = h('section', { class: 'page', id: 'records' }, tabs);
  if (id) page.append(await formFor(name, collection, id === 'new' ? null : id));
  else page.append(await listOf(name, collection));
  return page;
}

async function listOf(name: string, c: Collection): Promise<HTMLElement> {
  const { items: shownRows, total } = await firstPage<Record<string, unknown>>(`/api/${name}`, 500);
  const columns = c.fields.filter((f) => f.kind !== 'polygon' && f.kind !== 'json').slice(0, 5);
  return h(
    'div',
    { id: 'record-list' },
    h('h2', {}, t('records.count', { title: t(c.title), n: total })),
    canEdit(name) ? h('a', { class: 'button', href: `#/records/${name}/new`, id: 'new-record' }, t(c.fresh)) : null,
    total > shownRows.length ? h('p', { class: 'muted' }, t('records.showing', { n: shownRows.length })) : null,
    h(
      'table',
      { class: 'list' },
      h('tr', {}, ...columns.map((f) => h('th', { 'data-field': f.name }, t(f.label)))),
      ...shownRows.map((r) =>
        h('tr', { 'data-code': String(r.code ?? '') }, ...columns.map((f, i) => h('td', {}, i === 0 ? h('a', { href: `#/records/${name}/${encodeURIComponent(String(r.id))}` }, String(r[f.name] ?? '')) : cell(f, r[f.name])))),
      ),
    ),
  );
}

async function formFor(name: string, c: Collection, id: string | null): Promise<HTMLElement> {
  let record: Record<string, unknown> = {};
  let etag: string | null = null;
  if (id) {
    const answer = await request<Record<string, unknown>>('GET', `/api/${name}/${encodeURIComponent(id)}`);
    record = answer.body;
    etag = answer.etag;
  }
  const form = h('form', { class: 'form', id: 'record-form', novalidate: true });
  const general = h('p', { class: 'error', id: 'form-error', role: 'alert' });
  const errorSlots = new Map<string, HTMLElement>();
  const readers: (() => [string, unknown])[] = [];
  for (const field of c.fields) {
    const slot = h('span', { class: 'field-error', 'data-error-for': field.name });
    errorSlots.set(field.name, slot);
    const [input, read] = fieldInput(field, id ? record[field.from ?? field.name] : field.initial);
    readers.push(() => [field.name, read()]);
    form.append(h('label', { for: `f-${field.name}` }, t(field.label)), h('div', { class: 'field' }, input, slot));
  }
  const save = h('button', { type: 'submit', id: 'save' }, id ? t('records.save') : t('records.create'));
  form.append(h('div', { class: 'actions' }, save, h('a', { class: 'button secondary', href: `#/records/${name}` }, t('records.cancel'))), general);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const slot of errorSlots.values()) slot.textContent = '';
    general.textContent = '';
    // The body holds exactly the input type's keys: the API refuses unknown fields.
    const body: Record<string, unknown> = {};
    if (id) for (const key of c.carry) if (record[key] !== undefined && record[key] !== null) body[key] = record[key];
    for (const read of readers) {
      const [key, value] = read();
      if (value === undefined) delete body[key];
      else body[key] = value;
    }
    save.disabled = true;
    try {
      const answer = id
        ? await request<Record<string, unknown>>('PUT', `/api/${name}/${encodeURIComponent(id)}`, body, etag ? { 'If-Match': etag } : {})
        : await request<Record<string, unknown>>('POST', `/api/${name}`, body);
      if (c.layer) forget(c.layer);
      const saved = answer.body ?? {};
      general.className = 'ok';
      general.textContent = t('records.saved', { code: String(saved.code ?? '') });
      form.dataset.saved = String(saved.id ?? saved.code ?? 'yes');
      location.hash = `#/records/${name}`;
    } catch (err) {
      showErrors(err, errorSlots, general);
    } finally {
      save.disabled = false;
    }
  });
  return h('div', {}, h('h2', {}, id ? t('records.edit', { code: String(record.code ?? id) }) : t(c.fresh)), form);
}

/** Puts each problem beside its field; problems about other fields go to the form's foot. */
function showErrors(err: unknown, slots: Map<string, HTMLElement>, general: HTMLElement): void {
  general.className = 'error';
  if (!(err instanceof ApiError)) {
    general.textContent = String(err);
    return;
  }
  const unplaced: string[] = [];
  for (const { field, problem } of err.errors) {
    const key = [...slots.keys()].find((k) => field === k || field.startsWith(`${k}.`) || field.startsWith(`${k}[`));
    const slot = key ? slots.get(key) : undefined;
    if (slot) {
      slot.textContent = slot.textContent ? `${slot.textContent}; ${problem}` : problem;
      slot.previousElementSibling?.classList.add('invalid');
    } else unplaced.push(`${field}: ${problem}`);
  }
  general.textContent = err.status === 412 ? t('records.stale') : [err.detail || err.title, ...unplaced].filter(Boolean).join(' — ');
}

/** A value in the list: the words of an enumeration, else the value as recorded. */
function cell(field: Field, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? t('yes') : t('no');
  if (field.kind === 'date') return day(String(value));
  return field.kind === 'select' ? option(field.group ?? field.name, value) : String(value);
}

function fieldInput(field: Field, value: unknown): [HTMLElement, () => unknown] {
  const id = `f-${field.name}`;
  switch (field.kind) {
    case 'select': {
      const group = field.group ?? field.name;
      const select = h('select', { id, name: field.name }, h('option', { value: '' }, '—'), ...(field.options ?? []).map((o) => h('option', { value: o, selected: o === value }, option(group, o))));
      return [select, () => select.value || undefined];
    }
    case 'bool': {
      const box = h('input', { id, name: field.name, type: 'checkbox', checked: value === true });
      return [box, () => box.checked];
    }
    case 'number': {
      const input = h('input', { id, name: field.name, type: 'number', step: 'any', value: value === undefined || value === null ? '' : String(value) });
      return [input, () => (input.value === '' ? undefined : Number(input.value))];
    }
    case 'date': {
      const input = h('input', { id, name: field.name, type: 'date', value: value ? String(value) : '' });
      return [input, () => input.value || undefined];
    }
    case 'json': {
      const area = h('textarea', { id, name: field.name, rows: 3 }, value ? JSON.stringify(value) : '');
      return [
        area,
        () => {
          if (!area.value.trim()) return undefined;
          try {
            return JSON.parse(area.value);
          } catch {
            return area.value;
          }
        },
      ];
    }
    case 'polygon':
      return polygonInput(value);
    default: {
      const input = h('input', { id, name: field.name, value: value === undefined || value === null ? '' : String(value) });
      return [input, () => (input.value.trim() === '' ? undefined : input.value.trim())];
    }
  }
}

/** A small map to draw the hazard area's polygon on, with the existing areas for reference. */
function polygonInput(value: unknown): [HTMLElement, () => unknown] {
  let geometry: unknown = value ?? undefined;
  const canvas = h('div', { class: 'draw-map', id: 'draw-map' });
  const hint = h('p', { class: 'muted', id: 'draw-hint' }, value ? t('records.polygon.recorded') : t('records.polygon.start'));
  let drawing: ReturnType<typeof drawPolygon> | null = null;
  const finish = h('button', { type: 'button', class: 'secondary', id: 'draw-finish', onclick: () => drawing?.finish() }, t('form.finish'));
  const draw = h('button', { type: 'button', class: 'secondary', id: 'draw-start' }, t('form.draw'));
  const box = h('div', {}, canvas, h('div', { class: 'actions' }, draw, finish), hint);
  const map = new maplibregl.Map({ container: canvas, style: baseStyle(), bounds: REGION_BOUNDS, attributionControl: false });
  map.on('load', async () => {
    for (const name of ['regions', 'rivers', 'settlements', 'hazard-areas'] as const) {
      layer(name)
        .then((fc) => (map.getSource(name) as GeoJSONSource | undefined)?.setData(fc as GeoJSON.FeatureCollection))
        .catch(() => {});
    }
    if (value && typeof value === 'object') (map.getSource('draft') as GeoJSONSource).setData({ type: 'Feature', properties: {}, geometry: value as GeoJSON.Geometry });
    box.dataset.ready = 'true';
  });
  draw.addEventListener('click', async () => {
    clearDraft(map);
    document.body.dataset.drawing = 'true';
    drawing = drawPolygon(map, hint);
    const ring = await drawing.done;
    document.body.dataset.drawing = 'false';
    if (ring) {
      geometry = { type: 'Polygon', coordinates: [ring] };
      hint.textContent = t('form.draw.done', { n: ring.length - 1 });
      hint.dataset.corners = String(ring.length - 1);
      // A drawn polygon is a change to the form, as typing is.
      box.dispatchEvent(new Event('input', { bubbles: true }));
    }
  });
  return [box, () => geometry];
}

export { featureId };
