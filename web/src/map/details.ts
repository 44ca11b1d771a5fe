// Details of a clicked feature: its properties in a popup and the side panel, and for a
// hazard area its history from the API: every version with its date of information, the
// land released from it and the reports that changed it; an earlier outline or the released
// land can be drawn over the map.

import maplibregl, { type GeoJSONSource, type MapGeoJSONFeature } from 'maplibre-gl';
import { ApiError, get } from '../api';
import { h, num } from '../dom';
import { capital, day, knows, label, moment, option, t } from '../messages';
import { canEdit } from '../session';
import type { MapView } from './view';

/** Properties not worth showing to a person. */
const HIDDEN = new Set(['released_day', 'repair_day', 'restored_day', 'unblocked_day']);

/** The record collection behind a map layer, for links to forms. */
const COLLECTION: Record<string, string> = {
  'hazard-areas': 'hazard-areas',
  assets: 'assets',
  teams: 'teams',
  crews: 'crews',
  settlements: 'settlements',
};

let popup: maplibregl.Popup | null = null;

export function showDetails(view: MapView, feature: MapGeoJSONFeature, at: maplibregl.LngLat): void {
  const p = feature.properties ?? {};
  const source = feature.source === 'hazard-points' ? 'hazard-areas' : feature.source;
  const title = [p.code, p.name].filter(Boolean).join(' · ') || t('details.feature');
  const what = p.kind !== undefined ? option('kind', p.kind) : p.classification ?? (p.method !== undefined ? option('method', p.method) : p.trade !== undefined ? option('trade', p.trade) : option('layer', source));
  popup?.remove();
  popup = new maplibregl.Popup({ maxWidth: '280px' })
    .setLngLat(at)
    .setDOMContent(h('div', { class: 'popup' }, h('strong', {}, title), h('div', {}, capital(String(what)))))
    .addTo(view.map);

  const rows = Object.entries(p)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => propertyRow(k, v));
  const collection = COLLECTION[source];
  const panel = h(
    'div',
    { class: 'details', id: 'details' },
    h(
      'div',
      { class: 'details-head' },
      h('h3', {}, title),
      h('button', { class: 'link', onclick: () => closeDetails(view), title: t('details.close') }, '×'),
    ),
    h('table', { class: 'props' }, ...rows),
    collection && p.id ? recordRows(collection, String(p.id), new Set(Object.keys(p))) : null,
    collection && p.id && canEdit(collection)
      ? h('a', { class: 'button', href: `#/records/${collection}/${encodeURIComponent(String(p.id))}` }, t('details.edit'))
      : null,
  );
  closeDetails(view);
  view.side.prepend(panel);
  if (source === 'hazard-areas' && p.id) panel.append(history(view.map, String(p.id)));
  else if (collection && p.id) panel.append(changes(collection, String(p.id)));
}

/** One change of a record, as `GET /api/<collection>/{id}/history` lists it. */
interface Change {
  seq: number;
  at: string;
  actor: string;
  action: string;
  changed: string[];
}

/** A record's changes, newest first: when, who, what and which fields. */
function changes(collection: string, id: string): HTMLElement {
  const box = h('div', { class: 'history', id: 'record-history' }, h('h4', {}, t('history.title')), h('p', { class: 'muted' }, t('loading')));
  void (async () => {
    try {
      const body = await get<{ changes: Change[] }>(`/api/${collection}/${encodeURIComponent(id)}/history`);
      const list = [...body.changes].reverse();
      box.replaceChildren(
        h('h4', {}, t('history.title')),
        list.length
          ? h(
              'ol',
              { class: 'changes' },
              ...list.map((c) =>
                h(
                  'li',
                  { 'data-seq': String(c.seq), 'data-action': c.action },
                  h('strong', {}, moment(c.at)),
                  ` · ${c.actor} · ${option('change', c.action)}`,
                  c.changed.length ? h('div', { class: 'muted' }, c.changed.filter((f) => f !== 'version').map(label).join(', ')) : null,
                ),
              ),
            )
          : h('p', { class: 'muted', id: 'history-none' }, t('history.as_imported')),
      );
    } catch (err) {
      box.replaceChildren(h('h4', {}, t('history.title')), h('p', { class: 'error' }, err instanceof ApiError ? err.detail || err.message : (err as Error).message));
    }
  })();
  return box;
}

/** Closes the details panel, its popup and the history drawn over the map. */
export function closeDetails(view: MapView): void {
  view.side.querySelector('#details')?.remove();
  popup?.remove();
  popup = null;
  overlay(view.map, 'history-outline', null);
  overlay(view.map, 'history-released', null);
}

/** One property for a person: the field's name, and its value with enumerations, dates and numbers in the interface language. */
function propertyRow(key: string, value: unknown): HTMLElement {
  return h('tr', { 'data-field': key }, h('th', {}, capital(label(key))), h('td', {}, shownValue(key, value)));
}

function shownValue(key: string, v: unknown): string {
  if (typeof v === 'number') return num(v, 2);
  if (typeof v === 'boolean') return v ? t('yes') : t('no');
  if (knows(key, v)) return option(key, v);
  const text = String(v ?? '');
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return day(text);
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) return moment(text);
  return text;
}

/**
 * The rest of the record behind a map feature: the map layers carry only what the map
 * draws, so the other fields (contamination, evidence, repair work, ...) come from the
 * record itself. Fields already shown, geometry and lists are left out.
 */
function recordRows(collection: string, id: string, shownKeys: Set<string>): HTMLElement {
  const table = h('table', { class: 'props record-props' });
  get<Record<string, unknown>>(`/api/${collection}/${encodeURIComponent(id)}`)
    .then((record) => {
      const rows = Object.entries(record)
        .filter(([k, v]) => !shownKeys.has(k) && !HIDDEN.has(k) && v !== null && typeof v !== 'object')
        .map(([k, v]) => propertyRow(k, v));
      table.replaceChildren(...rows);
    })
    .catch(() => table.remove());
  return table;
}

/** One version of a hazard area, as `GET /api/hazard-areas/{id}/history` lists it. */
interface Version {
  version?: number;
  /** The date of information. */
  as_of?: string;
  date?: string;
  recorded_at?: string;
  changed_at?: string;
  classification?: string;
  status?: string;
  closure_reason?: string | null;
  area_m2?: number;
  geometry?: GeoJSON.Geometry | null;
  report_id?: string | null;
  report_code?: string | null;
  [key: string]: unknown;
}

/** A piece of land released from the area. */
interface Released {
  geometry?: GeoJSON.Geometry | null;
  polygon?: GeoJSON.Geometry | null;
  released_on?: string;
  area_m2?: number;
  reason?: string;
  date?: string;
  report_id?: string | null;
  report_code?: string | null;
  [key: string]: unknown;
}

interface History {
  versions: Version[];
  released: Released[];
  reports: { id: string; code: string; kind?: string; date?: string }[];
}

/** Reads the history answer, whether a bare list of versions or `{versions, released, reports}`. */
function historyOf(body: unknown): History {
  if (Array.isArray(body)) return { versions: body as Version[], released: [], reports: [] };
  const o = (body ?? {}) as Record<string, unknown>;
  const list = <T>(...keys: string[]) => (keys.map((k) => o[k]).find(Array.isArray) ?? []) as T[];
  return {
    versions: list<Version>('versions'),
    released: list<Released>('released', 'released_land', 'released_pieces'),
    reports: list<History['reports'][number]>('reports', 'approved_reports'),
  };
}

/** The history box of a hazard area: versions oldest first, released land, reports. */
function history(map: maplibregl.Map, id: string): HTMLElement {
  const box = h('div', { class: 'history', id: 'hazard-history' }, h('h4', {}, t('history.title')), h('p', { class: 'muted' }, t('history.loading')));
  get<unknown>(`/api/hazard-areas/${encodeURIComponent(id)}/history`)
    .then((body) => {
      const { versions, released, reports } = historyOf(body);
      const last = versions.length - 1;
      const outlineButtons: HTMLButtonElement[] = [];
      const rows = versions.map((raw, i) => {
        // A version may carry the record itself under `record` or `hazard_area`.
        const v = { ...((raw.record ?? raw.hazard_area ?? {}) as Version), ...raw };
        const date = day(v.as_of ?? v.date ?? v.recorded_at ?? v.changed_at ?? '');
        const state = [v.classification, v.status ? option('status', v.status) : null, v.closure_reason ? option('closure_reason', v.closure_reason) : null]
          .filter(Boolean)
          .join(' · ');
        const area = typeof v.area_m2 === 'number' ? `${num(v.area_m2)} m²` : null;
        const report = v.report_code ?? null;
        let button: HTMLButtonElement | null = null;
        if (i < last && v.geometry) {
          const b = h('button', { type: 'button', class: 'secondary small', 'data-version': v.version ?? i }, t('history.show'));
          b.addEventListener('click', () => {
            const showing = b.dataset.showing === 'true';
            for (const other of outlineButtons) ((other.dataset.showing = 'false'), (other.textContent = t('history.show')));
            overlay(map, 'history-outline', showing ? null : (v.geometry ?? null));
            b.dataset.showing = String(!showing);
            b.textContent = showing ? t('history.show') : t('history.hide');
          });
          outlineButtons.push(b);
          button = b;
        }
        return h(
          'li',
          { 'data-version': v.version ?? '' },
          h('strong', {}, `v${v.version ?? i + 1}`),
          ` ${date}`,
          i === last ? h('span', { class: 'muted' }, ` (${t('history.current')})`) : null,
          h('br'),
          [state, area].filter(Boolean).join(' · '),
          ...(report && v.report_id ? [' · ', h('a', { href: `#/reports/${encodeURIComponent(v.report_id)}` }, report)] : report ? [` · ${report}`] : []),
          ...(button ? [' ', button] : []),
        );
      });
      const releasedBox = released.length ? releasedList(map, released) : null;
      box.replaceChildren(
        h('h4', {}, t('history.versions', { n: versions.length })),
        h('ol', { class: 'versions' }, ...rows),
        ...(releasedBox ? [releasedBox] : []),
        ...(reports.length
          ? [h(
              'div',
              { class: 'history-reports' },
              h('h5', {}, t('history.reports')),
              h('ul', {}, ...reports.map((r) => h('li', {}, h('a', { href: `#/reports/${encodeURIComponent(r.id)}` }, r.code), r.date ? ` · ${day(r.date)}` : '', r.kind ? ` · ${option('kind', r.kind)}` : ''))),
            )
          ]
          : []),
      );
    })
    .catch((err: Error) =>
      box.replaceChildren(
        h('h4', {}, t('history.title')),
        err instanceof ApiError && err.status === 404 ? h('p', { class: 'muted' }, t('history.none')) : h('p', { class: 'error' }, err.message),
      ),
    );
  return box;
}

function releasedList(map: maplibregl.Map, released: Released[]): HTMLElement {
  const toggle = h('input', { type: 'checkbox', id: 'history-show-released' });
  toggle.addEventListener('change', () => {
    const pieces = released.map((r) => r.geometry ?? r.polygon).filter((g): g is GeoJSON.Geometry => !!g);
    overlay(map, 'history-released', toggle.checked ? { type: 'GeometryCollection', geometries: pieces } : null);
  });
  return h(
    'div',
    { class: 'history-released' },
    h('h5', {}, t('history.released')),
    h(
      'ul',
      {},
      ...released.map((r) =>
        h(
          'li',
          {},
          t('history.released_row', { date: day(r.released_on ?? r.date ?? ''), area: num(Number(r.area_m2 ?? 0)), reason: r.reason ? option('closure_reason', r.reason) : '' }),
          outcomes(r),
          ...(r.report_code && r.report_id ? [' · ', h('a', { href: `#/reports/${encodeURIComponent(r.report_id)}` }, r.report_code)] : []),
        ),
      ),
    ),
    h('label', { class: 'toggle' }, toggle, t('history.show_released')),
  );
}

/** A piece released in more than one way, by outcome: " (1,200 m² reduced, 4,800 m² cleared)". */
function outcomes(r: Released): string {
  const parts = (['cancelled', 'reduced', 'cleared'] as const)
    .map((k) => [k, Number(r[`${k}_m2`] ?? 0)] as const)
    .filter(([, m2]) => m2 > 0);
  if (parts.length < 2) return '';
  return ` (${parts.map(([k, m2]) => `${num(m2)} m² ${option('closure_reason', k)}`).join(', ')})`;
}

/**
 * Draws (or with `null`, clears) an overlay of the history over the map: an earlier outline
 * as a dashed line, released land as a green fill. The layers are added on first use.
 */
function overlay(map: maplibregl.Map, id: 'history-outline' | 'history-released', geometry: GeoJSON.Geometry | null): void {
  const data: GeoJSON.Feature | GeoJSON.FeatureCollection = geometry ? { type: 'Feature', properties: {}, geometry } : { type: 'FeatureCollection', features: [] };
  const source = map.getSource(id) as GeoJSONSource | undefined;
  if (source) {
    source.setData(data);
    return;
  }
  if (!geometry || !map.isStyleLoaded()) return;
  map.addSource(id, { type: 'geojson', data });
  if (id === 'history-released') {
    map.addLayer({ id: `${id}-fill`, type: 'fill', source: id, paint: { 'fill-color': '#41ab5d', 'fill-opacity': 0.45 } });
  }
  map.addLayer({ id: `${id}-line`, type: 'line', source: id, paint: { 'line-color': id === 'history-released' ? '#1b7837' : '#1d2320', 'line-width': 2, 'line-dasharray': [2, 1.5] } });
}

