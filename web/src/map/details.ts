// Details of a clicked feature: its properties in a popup and the side panel, and for a
// hazard area its history (every recorded version) from the API.

import maplibregl, { type MapGeoJSONFeature } from 'maplibre-gl';
import { ApiError, get } from '../api';
import { h, num, words } from '../dom';
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
  const title = [p.code, p.name].filter(Boolean).join(' · ') || 'Feature';
  popup?.remove();
  popup = new maplibregl.Popup({ maxWidth: '280px' })
    .setLngLat(at)
    .setDOMContent(h('div', { class: 'popup' }, h('strong', {}, title), h('div', {}, words(p.kind ?? p.classification ?? p.method ?? p.trade ?? source))))
    .addTo(view.map);

  const rows = Object.entries(p)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => h('tr', {}, h('th', {}, words(k)), h('td', {}, typeof v === 'number' ? num(v, 2) : words(v))));
  const collection = COLLECTION[source];
  const panel = h(
    'div',
    { class: 'details', id: 'details' },
    h('div', { class: 'details-head' }, h('h3', {}, title), h('button', { class: 'link', onclick: () => panel.remove(), title: 'Close' }, '×')),
    h('table', { class: 'props' }, ...rows),
    collection && p.id && canEdit(collection)
      ? h('a', { class: 'button', href: `#/records/${collection}/${encodeURIComponent(String(p.id))}` }, 'Edit')
      : null,
  );
  view.side.querySelector('#details')?.remove();
  view.side.prepend(panel);
  if (source === 'hazard-areas' && p.id) panel.append(history(String(p.id)));
}

interface Version {
  version?: number;
  changed_at?: string;
  recorded_at?: string;
  changed_by?: string;
  user?: string;
  status?: string;
  classification?: string;
  area_m2?: number;
  change?: string;
  [key: string]: unknown;
}

/** The versions of a hazard area, newest first. */
function history(id: string): HTMLElement {
  const box = h('div', { class: 'history' }, h('h4', {}, 'History'), h('p', { class: 'muted' }, 'Loading…'));
  get<Version[] | { versions: Version[] }>(`/api/hazard-areas/${encodeURIComponent(id)}/history`)
    .then((body) => {
      const versions = Array.isArray(body) ? body : (body.versions ?? []);
      box.replaceChildren(
        h('h4', {}, `History (${versions.length} versions)`),
        h(
          'ol',
          { class: 'versions' },
          ...versions.map((v) => {
            const record = (v.record ?? v.hazard_area ?? v) as Version;
            return h(
              'li',
              {},
              h('strong', {}, `v${v.version ?? '?'}`),
              ' ',
              String(v.changed_at ?? v.recorded_at ?? ''),
              v.changed_by || v.user ? ` by ${v.changed_by ?? v.user}` : '',
              h('br'),
              [record.classification, words(record.status), record.area_m2 ? `${num(Number(record.area_m2))} m²` : null, v.change]
                .filter(Boolean)
                .join(' · '),
            );
          }),
        ),
      );
    })
    .catch((err: Error) =>
      box.replaceChildren(
        h('h4', {}, 'History'),
        err instanceof ApiError && err.status === 404 ? h('p', { class: 'muted' }, 'The server keeps no history for this area.') : h('p', { class: 'error' }, err.message),
      ),
    );
  return box;
}
