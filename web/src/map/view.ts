// The map page: region, networks, hazard areas and assets from our own API on a plain
// background, a legend with layer toggles, details and history of a clicked feature, and
// the timeline over the loaded plan. A change of language relabels the panel in place, so
// the map keeps its view and its data.

import maplibregl, { type MapGeoJSONFeature } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { type Feature, type FeatureCollection, type MapLayer, MAP_LAYERS } from '../api';
import { dayOffset, featureId, layer, shown, stale } from '../data';
import { h } from '../dom';
import { type Key, onLangChange, t } from '../messages';
import { CLICKABLE, TOGGLES, bareStyle, bbox, centres, paintForDay, putSource } from './layers';
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
  /**
   * Shows a record found elsewhere (a search): fits its bounds, marks them, and opens its
   * details when a layer of the map holds it.
   */
  focus: (layer: MapLayer | null, id: string, bounds: [number, number, number, number]) => Promise<void>;
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
    style: bareStyle(),
    bounds: REGION_BOUNDS,
    fitBoundsOptions: { padding: 20 },
    attributionControl: false,
    maxZoom: 17,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  controlTitles(canvas);
  const data: MapView['data'] = {};
  const hold = holdDrawing(map);
  // Hazard-area outlines wait until the first view is drawn (see `view.loaded`).
  let outlinesDeferred = true;
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
    focus: async () => {},
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
    const points = name === 'hazard-areas' && putSource(map, 'hazard-points', centres(shownData));
    const added = (name !== 'hazard-areas' || !outlinesDeferred) && putSource(map, name, shownData);
    // New layers come painted for the recorded state: give them the plan's day on show.
    if ((points || added) && shown.plan) paintForDay(map, shown.day);
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
  // The first view: every layer is fetched at once and handed to the map together, and the
  // map draws once, when every tile of the view is cut. Without a GPU each frame costs 100
  // to 200 ms, and a map drawing each tile as it arrives draws the region ten times over.
  // Hazard areas show as one dot each at region scale and as polygons from zoom 8 (see
  // `layers.ts`), so their polygons are handed over only once the first view is drawn.
  view.loaded = (async () => {
    const fetched = await Promise.all(MAP_LAYERS.map(fetchLayer));
    await styleReady;
    MAP_LAYERS.forEach((name, i) => put(name, fetched[i]));
    hold.drawWhenLoaded(FIRST_VIEW_HOLD_MS);
    await new Promise<void>((resolve) => (map.loaded() ? resolve() : map.once('idle', () => resolve())));
    hold.release();
    // The frame MapLibre just drew reaches the screen when the browser next composites (in
    // software, once the drawing is read back): wait for the next frame to begin and for the
    // tasks before it to run.
    await new Promise<void>((resolve) => requestAnimationFrame(() => window.setTimeout(resolve, 0)));
    // Everything the first view shows is on screen, hazard areas included: the first load ends here.
    performance.mark('bonifica-map-loaded');
    document.body.dataset.mapLoaded = 'true';
    outlinesDeferred = false;
    const hazards = data['hazard-areas'];
    const polygons = hazards && putSource(map, 'hazard-areas', withPlanDays('hazard-areas', hazards) as GeoJSON.FeatureCollection);
    if (polygons && shown.plan) paintForDay(map, shown.day);
  })();

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
  view.focus = async (name, id, [w, s, e, n]) => {
    await view.loaded;
    const pad = 0.0005;
    map.fitBounds(
      [
        [w - pad, s - pad],
        [e + pad, n + pad],
      ],
      { padding: 60, maxZoom: 15, animate: false },
    );
    const ring: GeoJSON.Feature = {
      type: 'Feature',
      properties: {},
      geometry: { type: 'Polygon', coordinates: [[[w - pad, s - pad], [e + pad, s - pad], [e + pad, n + pad], [w - pad, n + pad], [w - pad, s - pad]]] },
    };
    const marked: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: [ring] };
    const source = map.getSource('search-focus') as maplibregl.GeoJSONSource | undefined;
    if (source) source.setData(marked);
    else map.addSource('search-focus', { type: 'geojson', data: marked });
    if (!map.getLayer('search-focus')) {
      map.addLayer({ id: 'search-focus', type: 'line', source: 'search-focus', paint: { 'line-color': '#e6550d', 'line-width': 2.5, 'line-dasharray': [2, 1] } });
    }
    const feature = name ? data[name]?.features.find((f) => featureId(f) === id) : undefined;
    if (name && feature) {
      const found = { source: name, properties: feature.properties ?? {} } as unknown as MapGeoJSONFeature;
      showDetails(view, found, new maplibregl.LngLat((w + e) / 2, (s + n) / 2));
    }
  };
  current = view;
  // A read-only handle for the browser tests and for people poking at the map in devtools.
  (window as unknown as { bonifica: unknown }).bonifica = { map, data };
  return view;
}

/** How long the first view may keep the map from drawing once its layers are handed over. */
const FIRST_VIEW_HOLD_MS = 4000;

/** The hold on a map's drawing; see `holdDrawing`. */
export interface DrawingHold {
  /** From now on the map draws as soon as every tile in view is loaded, or after `limitMs` at the latest. */
  drawWhenLoaded: (limitMs: number) => void;
  /** Ends the hold: the map draws as usual. */
  release: () => void;
}

/**
 * Keeps the map from drawing until it is told to draw once everything in view is loaded,
 * then lets it draw that in one frame. Sources, tiles and events go on meanwhile: only the
 * drawing waits, and the container's background stands in for the map's. MapLibre has no
 * public switch for this, so the hold wraps its painter's `render`; a MapLibre without one
 * is left alone and simply draws as tiles arrive.
 */
export function holdDrawing(map: maplibregl.Map): DrawingHold {
  type Render = (...args: unknown[]) => void;
  const painter = (map as unknown as { painter?: { render?: Render } }).painter;
  const render = painter?.render;
  if (!painter || typeof render !== 'function') return { drawWhenLoaded: () => {}, release: () => {} };
  let phase: 'held' | 'until-loaded' | 'off' = 'held';
  let timer = 0;
  // Whether the last frame asked for was not drawn: the map then owes one when released.
  let owed = false;
  // The first frame (the bare style) is always drawn: the painter learns the style while
  // drawing, and tiles loaded later take their layers from it.
  let first = true;
  painter.render = (...args: unknown[]) => {
    owed = !first && (phase === 'held' || (phase === 'until-loaded' && !map.loaded()));
    first = false;
    if (!owed) render.apply(painter, args);
  };
  const release = () => {
    if (phase === 'off') return;
    phase = 'off';
    window.clearTimeout(timer);
    delete painter.render;
    if (painter.render !== render) painter.render = render;
    if (owed) map.triggerRepaint();
  };
  const drawWhenLoaded = (limitMs: number) => {
    if (phase !== 'held') return;
    phase = 'until-loaded';
    timer = window.setTimeout(release, limitMs);
    map.triggerRepaint();
  };
  return { drawWhenLoaded, release };
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
