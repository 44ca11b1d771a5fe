// The map page: region, networks, hazard areas and assets from our own API on a plain
// background, a legend with layer toggles, details and history of a clicked feature, and
// the timeline over the loaded plan. A change of language relabels the panel in place, so
// the map keeps its view and its data.

import maplibregl, { type GeoJSONSource, type MapGeoJSONFeature } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { type Feature, type FeatureCollection, type MapLayer, MAP_LAYERS } from '../api';
import { dayOffset, featureId, layer, shown, stale } from '../data';
import { h } from '../dom';
import { type Key, onLangChange, t } from '../messages';
import { CLICKABLE, TOGGLES, baseStyle, bbox, centres, paintForDay } from './layers';
import { ASSET_LEGEND, HAZARD_LEGEND, UNIT_LEGEND } from './styles';
import { closeDetails, showDetails } from './details';
import { Timeline } from '../timeline';

/** The region's bounds, WGS 84: lon 33–40, lat 49–53. */
export const REGION_BOUNDS: [[number, number], [number, number]] = [
  [33, 49],
  [40, 53],
];

/** The map page and what it holds. */
export interface MapView {
  map: maplibregl.Map;
  root: HTMLElement;
  data: Partial<Record<MapLayer, FeatureCollection>>;
  /** Resolves when every layer is on the map. */
  loaded: Promise<void>;
  /** Reloads the given layers from the API. */
  reload: (names: MapLayer[]) => Promise<void>;
  side: HTMLElement;
  /** Sizes the map to its container; fits the region the first time it is on screen. */
  shown: () => void;
  /** Stops following changes of language (the view is dropped). */
  dispose: () => void;
}

let current: MapView | null = null;

/** The map view, created once and kept while the user moves between pages. */
export function mapView(): MapView {
  if (current) return current;
  // A new map loads every layer afresh.
  stale.clear();
  const canvas = h('div', { class: 'map-canvas', id: 'map' });
  const side = h('aside', { class: 'map-side' });
  const root = h('section', { class: 'map-page' }, canvas, side);
  const map = new maplibregl.Map({
    container: canvas,
    style: baseStyle(),
    bounds: REGION_BOUNDS,
    fitBoundsOptions: { padding: 20 },
    attributionControl: false,
    maxZoom: 17,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  controlTitles(canvas);
  const data: MapView['data'] = {};
  let fitted = false;
  let regionBounds = REGION_BOUNDS;
  const view: MapView = {
    map,
    root,
    data,
    side,
    loaded: Promise.resolve(),
    reload: async () => {},
    dispose: () => {},
    shown: () => {
      map.resize();
      if (stale.size) {
        // Records changed through the forms since the map last drew them.
        const names = [...stale];
        stale.clear();
        void view.reload(names);
      }
      if (!fitted && canvas.clientWidth > 0) {
        map.fitBounds(regionBounds, { padding: 20, animate: false });
        fitted = data.regions !== undefined;
      }
    },
  };

  const styleReady = new Promise<void>((resolve) => (map.loaded() ? resolve() : map.once('load', () => resolve())));
  const missing: string[] = [];
  /** A layer from the API, or `null` when the server cannot give it (the rest of the map stays usable). */
  const fetchLayer = async (name: MapLayer): Promise<FeatureCollection | null> => {
    try {
      return await layer(name);
    } catch (err) {
      missing.push(`${name}: ${(err as Error).message}`);
      side.querySelector('#layer-problems')?.replaceChildren(...missing.map((m) => h('li', {}, m)));
      return null;
    }
  };
  const put = (name: MapLayer, fc: FeatureCollection | null) => {
    if (!fc) return;
    data[name] = fc;
    setLayer(name, fc);
    if (name === 'regions' || (name === 'assets' && !data.regions?.features.length)) fitRegion(fc);
  };
  const setLayer = (name: MapLayer, fc: FeatureCollection) => {
    const shownData = withPlanDays(name, fc) as GeoJSON.FeatureCollection;
    (map.getSource(name) as GeoJSONSource | undefined)?.setData(shownData);
    if (name === 'hazard-areas') (map.getSource('hazard-points') as GeoJSONSource | undefined)?.setData(centres(shownData));
  };
  // The region's own outline decides the view, once, unless the user has moved the map.
  const fitRegion = (fc: FeatureCollection) => {
    const boxes = fc.features.map((f) => bbox(f.geometry as GeoJSON.Geometry)).filter((b) => b !== null);
    if (!boxes.length || fitted) return;
    regionBounds = [
      [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1]))],
      [Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))],
    ];
    if (canvas.clientWidth > 0) {
      map.resize();
      map.fitBounds(regionBounds, { padding: 20, animate: false });
      fitted = true;
    }
  };
  view.reload = async (names) => {
    const fetched = await Promise.all(names.map(fetchLayer));
    await styleReady;
    names.forEach((name, i) => put(name, fetched[i]));
  };
  // Every layer is fetched at once and handed to the map together: each frame the map
  // draws while layers trickle in costs as much as the final one, so drawing once is
  // what gets the whole map on screen soonest.
  view.loaded = view.reload([...MAP_LAYERS]).then(async () => {
    await new Promise<void>((resolve) => (map.loaded() ? resolve() : map.once('idle', () => resolve())));
    // Hazard areas are on the map (and so is everything else): the first load ends here.
    performance.mark('bonifica-map-loaded');
    document.body.dataset.mapLoaded = 'true';
  });

  let legendBox = legend(map);
  side.append(legendBox, h('ul', { class: 'error', id: 'layer-problems' }));
  const timeline = new Timeline(view);
  side.prepend(timeline.root);
  view.dispose = onLangChange(() => {
    const relabelled = legend(map);
    legendBox.replaceWith(relabelled);
    legendBox = relabelled;
    timeline.relabel();
    closeDetails(view);
    controlTitles(canvas);
  });
  shown.listeners.push(() => {
    for (const name of ['hazard-areas', 'assets'] as const) {
      const fc = data[name];
      if (fc) setLayer(name, fc);
    }
    timeline.planChanged();
  });

  map.on('click', (e) => {
    if (document.body.dataset.drawing === 'true') return;
    const layersHere = CLICKABLE.filter((id) => map.getLayer(id));
    const hit: MapGeoJSONFeature | undefined = map.queryRenderedFeatures(e.point, { layers: layersHere })[0];
    if (hit) showDetails(view, hit, e.lngLat);
  });
  for (const id of CLICKABLE) {
    map.on('mouseenter', id, () => (map.getCanvas().style.cursor = 'pointer'));
    map.on('mouseleave', id, () => (map.getCanvas().style.cursor = ''));
  }
  current = view;
  // A read-only handle for the browser tests and for people poking at the map in devtools.
  (window as unknown as { bonifica: unknown }).bonifica = { map, data };
  return view;
}

/** Names MapLibre's zoom buttons in the interface language (it names them in English). */
export function controlTitles(container: HTMLElement): void {
  const buttons: [string, Key][] = [
    ['.maplibregl-ctrl-zoom-in', 'map.zoom_in'],
    ['.maplibregl-ctrl-zoom-out', 'map.zoom_out'],
  ];
  for (const [selector, key] of buttons) {
    const button = container.querySelector<HTMLElement>(selector);
    if (!button) continue;
    button.title = t(key);
    button.setAttribute('aria-label', t(key));
  }
}

/** Forgets the map view (after sign-out). */
export function dropMapView(): void {
  current?.dispose();
  current?.map.remove();
  current = null;
}

/** The legend with one toggle per layer group, each checked while its layers show. */
function legend(map: maplibregl.Map): HTMLElement {
  const swatches = (rows: [Key, string][]) =>
    h('ul', { class: 'legend-rows' }, ...rows.map(([label, colour]) => h('li', { 'data-legend': label }, h('span', { class: 'swatch', style: `background:${colour}` }), t(label))));
  const visible = (ids: string[]) => ids.every((id) => !map.getLayer(id) || map.getLayoutProperty(id, 'visibility') !== 'none');
  const toggles = TOGGLES.map((toggle) =>
    h(
      'label',
      { class: 'toggle' },
      h('input', {
        type: 'checkbox',
        checked: visible(toggle.layers),
        'data-toggle': toggle.id,
        onchange: (e: Event) => {
          const on = (e.target as HTMLInputElement).checked;
          for (const id of toggle.layers) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
        },
      }),
      t(toggle.label),
    ),
  );
  return h(
    'div',
    { class: 'legend', id: 'legend' },
    h('h3', {}, t('legend.layers')),
    h('div', { class: 'toggles' }, ...toggles),
    h('h3', {}, t('legend.hazards')),
    swatches(HAZARD_LEGEND),
    h('h3', {}, t('legend.assets')),
    swatches(ASSET_LEGEND),
    h('p', { class: 'muted' }, t('legend.lines')),
    h('h3', {}, t('legend.units')),
    h(
      'ul',
      { class: 'legend-rows', id: 'unit-legend' },
      ...UNIT_LEGEND.map(([label, colour, filled]) =>
        h(
          'li',
          { 'data-legend': label },
          h('span', { class: 'swatch', style: `border-radius:50%;box-sizing:border-box;${filled ? `background:${colour}` : `background:#fff;border:2px solid ${colour}`}` }),
          t(label),
        ),
      ),
    ),
    h('p', { class: 'muted' }, t('legend.units_note')),
  );
}

/**
 * The layer with the loaded plan's days written into each feature: `released_day` for
 * hazard areas, `unblocked_day`, `repair_day` and `restored_day` for assets.
 */
function withPlanDays(name: MapLayer, fc: FeatureCollection): FeatureCollection {
  const plan = shown.plan;
  if (!plan || (name !== 'hazard-areas' && name !== 'assets')) return fc;
  const days = new Map<string, Record<string, number>>();
  const set = (id: string, key: string, day: number) => {
    const row = days.get(id) ?? {};
    if (row[key] === undefined || day < row[key]) row[key] = day;
    days.set(id, row);
  };
  if (name === 'hazard-areas') {
    for (const r of plan.hazards) if (r.release_date) set(r.id, 'released_day', dayOffset(plan.start_date, r.release_date));
  } else {
    const released = new Map(plan.hazards.map((r) => [r.code, r.release_date ? dayOffset(plan.start_date, r.release_date) : Infinity]));
    for (const r of plan.assets) {
      if (r.restoration_date) set(r.id, 'restored_day', dayOffset(plan.start_date, r.restoration_date));
      const unblocked = Math.max(0, ...r.blocking.map((c) => released.get(c) ?? Infinity));
      if (Number.isFinite(unblocked)) set(r.id, 'unblocked_day', unblocked);
    }
    for (const item of plan.items) if (item.subject.record === 'asset') set(item.subject.id, 'repair_day', item.start_day);
  }
  const features = fc.features.map((f: Feature) => {
    const extra = days.get(featureId(f));
    return extra ? { ...f, properties: { ...f.properties, ...extra } } : f;
  });
  return { type: 'FeatureCollection', features };
}

export { paintForDay };
