// Records: lists and forms to create and edit hazard areas (drawing the polygon on the map),
// assets, teams, crews and contracts. Validation errors from the API's problem+json
// (`errors: [{field, problem}]`) are shown beside their field. Labels and the words of
// enumerations come from the message catalogue; the values sent are the API's.

import maplibregl, { type GeoJSONSource } from 'maplibre-gl';
import { ApiError, get, list, request } from './api';
import { featureId, forget, layer, shown } from './data';
import { h } from './dom';
import { clearDraft, drawPolygon } from './map/draw';
import { baseStyle, bbox } from './map/layers';
import { REGION_BOUNDS } from './map/view';
import { type Key, day, num, option, t } from './messages';
import { canEdit } from './session';

type Kind = 'text' | 'number' | 'date' | 'bool' | 'select' | 'polygon' | 'json' | 'organisation';

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
const organisation: Field = { name: 'organisation', label: 'rf.organisation', kind: 'organisation', from: 'organisation_id' };
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

/** A filter of a list: the API's query parameter and the values offered. */
interface ListFilter {
  param: string;
  label: Key;
  options: string[];
  /** The catalogue's group for the words of `options`. */
  group: string;
}

/** A column of a list. */
interface Column {
  label: Key;
  /** The record's value, as shown. */
  cell: (r: Record<string, unknown>) => string | HTMLElement;
  /** The `sort` the API orders this column by, if it can. */
  sort?: string;
}

const yes = (v: unknown) => (v === true ? t('yes') : t('no'));
const sizeCell = (r: Record<string, unknown>) => {
  const m2 = Number(r.area_m2 ?? 0);
  const m = Number(r.length_m ?? 0);
  if (m2 > 0) return m2 >= 10_000 ? `${num(m2 / 10_000, 2)} ha` : `${num(m2)} m²`;
  if (m > 0) return m >= 1000 ? `${num(m / 1000, 1)} km` : `${num(m)} m`;
  return '';
};
/** The plan on show's date for a record, and its P90 where the plan has a forecast. */
const planned = (r: Record<string, unknown>, which: 'date' | 'p90') => {
  const plan = shown.plan;
  if (!plan) return '';
  const id = String(r.id);
  if (which === 'date') {
    const date = plan.hazards.find((x) => x.id === id)?.release_date ?? plan.assets.find((x) => x.id === id)?.restoration_date;
    return day(date ?? null);
  }
  const f = plan.forecast?.hazards.find((x) => x.id === id) ?? plan.forecast?.assets.find((x) => x.id === id);
  return day(f?.p90 ?? null);
};

/** What each list filters by and shows; the organisation column is added to those that have one. */
const LISTS: Record<string, { filters: ListFilter[]; columns: Column[]; organisation: boolean; dated: boolean }> = {
  'hazard-areas': {
    filters: [
      { param: 'status', label: 'rf.status', options: ['open', 'worked_on', 'closed', 'handed_over'], group: 'status' },
      { param: 'classification', label: 'rf.classification', options: ['sha', 'cha'], group: 'classification' },
      { param: 'kind', label: 'rf.contamination', options: CONTAMINATION, group: 'contamination' },
    ],
    columns: [
      { label: 'rf.classification', cell: (r) => String(r.classification ?? '') },
      { label: 'rf.status', cell: (r) => option('status', r.status) },
      { label: 'rf.contamination', cell: (r) => option('contamination', r.contamination) },
      { label: 'list.size', cell: sizeCell, sort: 'size' },
    ],
    organisation: true,
    dated: true,
  },
  assets: {
    filters: [
      { param: 'kind', label: 'rf.asset_kind', options: ASSET_KINDS, group: 'kind' },
      { param: 'damage', label: 'rf.damage', options: ['minor', 'moderate', 'severe', 'destroyed'], group: 'damage' },
      { param: 'status', label: 'rf.status', options: ['damaged', 'restored'], group: 'asset_status' },
      { param: 'blocked', label: 'list.blocked', options: ['true', 'false'], group: 'yes_no' },
    ],
    columns: [
      { label: 'rf.name', cell: (r) => String(r.name ?? ''), sort: 'name' },
      { label: 'rf.asset_kind', cell: (r) => option('kind', r.kind) },
      { label: 'rf.damage', cell: (r) => option('damage', r.damage) },
      { label: 'list.restored', cell: (r) => yes(r.restored) },
      { label: 'list.size', cell: sizeCell, sort: 'size' },
    ],
    organisation: false,
    dated: true,
  },
  teams: {
    filters: [{ param: 'kind', label: 'rf.method', options: ['manual', 'mechanical', 'mdd', 'bac', 'eod'], group: 'method' }],
    columns: [
      { label: 'rf.name', cell: (r) => String(r.name ?? ''), sort: 'name' },
      { label: 'rf.method', cell: (r) => option('method', r.kind) },
    ],
    organisation: true,
    dated: false,
  },
  crews: {
    filters: [{ param: 'kind', label: 'rf.trade', options: ['roads', 'bridges', 'rail', 'power', 'buildings', 'general'], group: 'trade' }],
    columns: [
      { label: 'rf.name', cell: (r) => String(r.name ?? ''), sort: 'name' },
      { label: 'rf.trade', cell: (r) => option('trade', r.kind) },
    ],
    organisation: true,
    dated: false,
  },
  contracts: {
    filters: [],
    columns: [
      { label: 'rf.start', cell: (r) => day(String(r.start ?? '')) },
      { label: 'rf.end', cell: (r) => day(String(r.end ?? '')) },
    ],
    organisation: true,
    dated: false,
  },
};

/** Rows a page of a list. */
const LIST_PAGE = 100;
/** The formats a list exports to: GeoJSON and GeoPackage for the layers of the map. */
const EXPORTS: Record<string, string[]> = {
  'hazard-areas': ['csv', 'geojson', 'gpkg'],
  assets: ['csv', 'geojson', 'gpkg'],
};

/** Organisation names by id, read once. */
let organisationNames: Promise<Map<string, string>> | null = null;
function organisationsById(): Promise<Map<string, string>> {
  organisationNames ??= list<{ id: string; name: string }>('/api/organisations')
    .then((all) => new Map(all.map((o) => [o.id, o.name])))
    .catch(() => new Map());
  return organisationNames;
}

/**
 * A list of a collection: words to search, filters, a sort, pages of 100 through every
 * record (the API's `next` links), and exports of the whole filtered list.
 */
async function listOf(name: string, c: Collection): Promise<HTMLElement> {
  const spec = LISTS[name] ?? { filters: [], columns: [], organisation: false, dated: false };
  const names = spec.organisation ? await organisationsById() : new Map<string, string>();
  const state: Record<string, string> = {};
  const query = () => new URLSearchParams(Object.entries(state).filter(([, v]) => v !== '')).toString();
  const heading = h('h2', {}, t('records.count', { title: t(c.title), n: '…' }));
  const table = h('table', { class: 'list', id: 'record-table' });
  const pager = h('div', { class: 'pager', id: 'pager' });
  const exports = h('span', { class: 'exports', id: 'exports' });
  const problem = h('p', { class: 'error', id: 'list-error', role: 'alert' });
  /** The page tokens of the pages before the one shown. */
  let tokens: (string | null)[] = [];
  let current: string | null = null;

  const columns: Column[] = [
    { label: 'list.code', cell: (r) => h('a', { href: `#/records/${name}/${encodeURIComponent(String(r.id))}` }, String(r.code ?? '')), sort: 'code' },
    ...spec.columns,
    ...(spec.organisation ? [{ label: 'list.organisation' as Key, cell: (r: Record<string, unknown>) => names.get(String(r.organisation_id ?? '')) ?? '' }] : []),
    ...(spec.dated ? [{ label: 'list.planned' as Key, cell: (r: Record<string, unknown>) => planned(r, 'date') }, { label: 'list.p90' as Key, cell: (r: Record<string, unknown>) => planned(r, 'p90') }] : []),
  ];

  const load = async (token: string | null) => {
    const q = query();
    const path = `/api/${name}?${q}${q ? '&' : ''}page_size=${LIST_PAGE}${token ? `&page_token=${encodeURIComponent(token)}` : ''}`;
    let page: { items: Record<string, unknown>[]; total: number; next: string | null };
    try {
      page = await get(path);
    } catch (err) {
      problem.textContent = (err as Error).message;
      return;
    }
    problem.textContent = '';
    current = token;
    const first = tokens.length * LIST_PAGE;
    heading.textContent = t('records.count', { title: t(c.title), n: num(page.total) });
    table.dataset.total = String(page.total);
    const sort = state.sort ?? 'code';
    table.replaceChildren(
      h(
        'tr',
        {},
        ...columns.map((col) => {
          if (!col.sort) return h('th', {}, t(col.label));
          const on = sort.replace(/^-/, '') === col.sort;
          const mark = on ? (sort.startsWith('-') ? ' ▼' : ' ▲') : '';
          return h(
            'th',
            { class: 'sortable', 'data-sort': col.sort, onclick: () => void resort(col.sort!) },
            t(col.label),
            mark,
          );
        }),
      ),
      ...page.items.map((r) => h('tr', { 'data-code': String(r.code ?? '') }, ...columns.map((col) => h('td', {}, col.cell(r))))),
    );
    const nextToken = page.next ? new URL(page.next, location.origin).searchParams.get('page_token') : null;
    pager.replaceChildren(
      h('button', { type: 'button', class: 'secondary', id: 'page-prev', disabled: tokens.length === 0, onclick: () => void load(tokens.pop() ?? null) }, t('list.prev')),
      h('span', { id: 'page-range' }, t('list.range', { from: num(page.items.length ? first + 1 : 0), to: num(first + page.items.length), n: num(page.total) })),
      h('button', { type: 'button', class: 'secondary', id: 'page-next', disabled: !nextToken, onclick: () => (tokens.push(current), void load(nextToken)) }, t('list.next')),
    );
    exports.replaceChildren(
      ...(EXPORTS[name] ?? ['csv']).map((format) =>
        h('a', { class: 'button secondary', 'data-format': format, href: `/api/export/${name}?format=${format}${q ? `&${q}` : ''}`, download: '' }, ({ csv: 'CSV', geojson: 'GeoJSON', gpkg: 'GeoPackage' } as Record<string, string>)[format] ?? format),
      ),
    );
  };
  const restart = () => {
    tokens = [];
    void load(null);
  };
  const resort = (field: string) => {
    const now = state.sort ?? 'code';
    state.sort = now === field ? `-${field}` : field;
    restart();
  };

  let typing = 0;
  const search = h('input', {
    type: 'search',
    id: 'list-q',
    placeholder: t('list.search'),
    oninput: (e: Event) => {
      window.clearTimeout(typing);
      const value = (e.target as HTMLInputElement).value.trim();
      typing = window.setTimeout(() => {
        state.q = value;
        restart();
      }, 250);
    },
  });
  const filters = spec.filters.map((f) =>
    h(
      'label',
      { class: 'filter' },
      t(f.label),
      ' ',
      h(
        'select',
        {
          id: `filter-${f.param}`,
          'data-param': f.param,
          onchange: (e: Event) => {
            state[f.param] = (e.target as HTMLSelectElement).value;
            restart();
          },
        },
        h('option', { value: '' }, t('list.any')),
        ...f.options.map((o) => h('option', { value: o }, option(f.group, o))),
      ),
    ),
  );
  await load(null);
  return h(
    'div',
    { id: 'record-list' },
    heading,
    h(
      'div',
      { class: 'list-tools' },
      canEdit(name) ? h('a', { class: 'button', href: `#/records/${name}/new`, id: 'new-record' }, t(c.fresh)) : null,
      search,
      ...filters,
      h('span', { class: 'muted' }, t('list.export')),
      exports,
    ),
    problem,
    table,
    pager,
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
    case 'organisation': {
      // Organisations by name; the API takes the id.
      const current = value ? String(value) : '';
      const select = h('select', { id, name: field.name }, h('option', { value: '' }, '—'), current ? h('option', { value: current, selected: true }, current) : null) as HTMLSelectElement;
      void organisationsById().then((names) => {
        const sorted = [...names].sort((a, b) => a[1].localeCompare(b[1]));
        select.replaceChildren(h('option', { value: '' }, '—'), ...sorted.map(([oid, name]) => h('option', { value: oid, selected: oid === current }, name)));
      });
      return [select, () => select.value || undefined];
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
  // An existing polygon opens the map on it; a new one on the region.
  const recorded = value && typeof value === 'object' ? bbox(value as GeoJSON.Geometry) : null;
  const bounds: [[number, number], [number, number]] = recorded
    ? [
        [recorded[0], recorded[1]],
        [recorded[2], recorded[3]],
      ]
    : REGION_BOUNDS;
  const map = new maplibregl.Map({ container: canvas, style: baseStyle(), bounds, fitBoundsOptions: { padding: 40, maxZoom: 16 }, attributionControl: false });
  canvas.dataset.bounds = JSON.stringify(bounds);
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
