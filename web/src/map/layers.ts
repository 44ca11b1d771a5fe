// The map's sources and layers: every record layer is one GeoJSON source (thousands of
// features, no DOM markers), drawn as fill, line and circle layers without text, so no
// glyphs are needed and nothing is fetched from outside.

import type { GeoJSONSource, LayerSpecification, Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';
import type { Key } from '../messages';
import { ASSET_LINE_WIDTH, COLOURS, assetColour, hazardColour, unitPaint } from './styles';

/** A toggle in the layer panel: its label's message and the map layers it shows or hides. */
export interface Toggle {
  id: string;
  label: Key;
  layers: string[];
}

export const TOGGLES: Toggle[] = [
  { id: 'region', label: 'toggle.region', layers: ['regions-fill', 'regions-line'] },
  { id: 'rivers', label: 'toggle.rivers', layers: ['rivers-line'] },
  { id: 'settlements', label: 'toggle.settlements', layers: ['settlements-fill', 'settlements-circle'] },
  { id: 'roads', label: 'toggle.roads', layers: ['assets-roads'] },
  { id: 'rail', label: 'toggle.rail', layers: ['assets-rail'] },
  { id: 'power', label: 'toggle.power', layers: ['assets-power'] },
  { id: 'assets', label: 'toggle.assets', layers: ['assets-points', 'assets-areas'] },
  { id: 'hazards', label: 'toggle.hazards', layers: ['hazard-areas-fill', 'hazard-areas-line', 'hazard-areas-dot'] },
  { id: 'teams', label: 'toggle.teams', layers: ['teams-circle'] },
  { id: 'crews', label: 'toggle.crews', layers: ['crews-circle'] },
];

/** Layers whose features open details when clicked, topmost first. */
export const CLICKABLE = [
  'teams-circle',
  'crews-circle',
  'assets-points',
  'assets-rail',
  'assets-roads',
  'assets-power',
  'assets-areas',
  'hazard-areas-fill',
  'hazard-areas-dot',
  'settlements-circle',
  'settlements-fill',
];

const EMPTY = { type: 'FeatureCollection' as const, features: [] };

/** The sources of the map's record layers; features with an `id` property are addressable by it. */
const SOURCES = {
  regions: {},
  rivers: {},
  settlements: {},
  'hazard-areas': { promoteId: 'id' },
  // One point per hazard area, so areas of a few thousand m² show at region scale.
  'hazard-points': { promoteId: 'id' },
  assets: { promoteId: 'id' },
  teams: {},
  crews: {},
  draft: {},
} as const;

export type SourceName = keyof typeof SOURCES;

const geojson = (name: SourceName, data: GeoJSON.GeoJSON) => ({ type: 'geojson' as const, data, ...SOURCES[name] });

/** The style: a plain background and our own sources, empty; no tiles, no glyphs, no sprites. */
export function baseStyle(): StyleSpecification {
  const sources = Object.fromEntries(Object.keys(SOURCES).map((name) => [name, geojson(name as SourceName, EMPTY)]));
  return { version: 8, sources, layers: layers() };
}

/**
 * The style with only the background and the drawing layers: the record sources come with
 * their data through `putSource`. A source created empty and filled later has its tiles
 * cut twice (once empty, once full, and again at the zoom the map then fits), so the main
 * map adds each source once its data is here and the view is set.
 */
export function bareStyle(): StyleSpecification {
  const bare = layers().filter((l) => l.type === 'background' || ('source' in l && l.source === 'draft'));
  return { version: 8, sources: { draft: geojson('draft', EMPTY) }, layers: bare };
}

/**
 * Gives source `name` its data: replaces it when the map has the source, otherwise adds
 * the source with this data and its layers at their places in the style's order. Answers
 * whether the layers are new (and so painted as the style first paints them).
 */
export function putSource(map: MapLibreMap, name: SourceName, data: GeoJSON.GeoJSON): boolean {
  const source = map.getSource(name) as GeoJSONSource | undefined;
  if (source) {
    source.setData(data);
    return false;
  }
  map.addSource(name, geojson(name, data));
  const all = layers();
  all.forEach((layer, i) => {
    if (!('source' in layer) || layer.source !== name) return;
    const before = all.slice(i + 1).find((l) => map.getLayer(l.id));
    map.addLayer(layer, before?.id);
  });
  return true;
}

const isLine = ['match', ['geometry-type'], ['LineString', 'MultiLineString'], true, false];
const kindIs = (...kinds: string[]) => ['match', ['get', 'kind'], kinds, true, false];

function layers(): LayerSpecification[] {
  return [
    { id: 'background', type: 'background', paint: { 'background-color': COLOURS.background } },
    { id: 'regions-fill', type: 'fill', source: 'regions', paint: { 'fill-color': COLOURS.region, 'fill-opacity': 0.9 } },
    { id: 'regions-line', type: 'line', source: 'regions', paint: { 'line-color': COLOURS.regionLine, 'line-width': 1.5 } },
    {
      id: 'rivers-line',
      type: 'line',
      source: 'rivers',
      paint: { 'line-color': COLOURS.river, 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 1, 12, 3] },
    },
    {
      id: 'settlements-fill',
      type: 'fill',
      source: 'settlements',
      filter: ['match', ['geometry-type'], ['Polygon', 'MultiPolygon'], true, false],
      paint: { 'fill-color': '#c9c4bb', 'fill-opacity': 0.8, 'fill-outline-color': COLOURS.settlement },
    },
    {
      id: 'hazard-areas-fill',
      type: 'fill',
      source: 'hazard-areas',
      minzoom: 8,
      paint: { 'fill-color': hazardColour(-1), 'fill-opacity': 0.55 },
    },
    {
      id: 'hazard-areas-dot',
      type: 'circle',
      source: 'hazard-points',
      maxzoom: 11,
      paint: {
        'circle-color': hazardColour(-1),
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 6, 1.6, 10, 3],
        'circle-opacity': 0.85,
      },
    },
    {
      id: 'hazard-areas-line',
      type: 'line',
      source: 'hazard-areas',
      minzoom: 8,
      paint: { 'line-color': hazardColour(-1), 'line-width': 1 },
    },
    {
      id: 'assets-areas',
      type: 'fill',
      source: 'assets',
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': assetColour(-1), 'fill-opacity': 0.7 },
    },
    {
      id: 'assets-power',
      type: 'line',
      source: 'assets',
      filter: ['all', isLine, kindIs('power_line')],
      paint: { 'line-color': assetColour(-1), 'line-width': ASSET_LINE_WIDTH, 'line-dasharray': [3, 2] },
    },
    {
      id: 'assets-roads',
      type: 'line',
      source: 'assets',
      filter: ['all', isLine, kindIs('road_segment')],
      paint: { 'line-color': assetColour(-1), 'line-width': ASSET_LINE_WIDTH },
    },
    {
      id: 'assets-rail',
      type: 'line',
      source: 'assets',
      filter: ['all', isLine, kindIs('railway_segment')],
      paint: { 'line-color': assetColour(-1), 'line-width': ASSET_LINE_WIDTH, 'line-dasharray': [4, 1] },
    },
    {
      id: 'assets-points',
      type: 'circle',
      source: 'assets',
      filter: ['==', ['geometry-type'], 'Point'],
      paint: {
        'circle-color': assetColour(-1),
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 6, 2.5, 12, 7],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 0.8,
      },
    },
    {
      id: 'settlements-circle',
      type: 'circle',
      source: 'settlements',
      filter: ['==', ['geometry-type'], 'Point'],
      paint: {
        'circle-color': '#ffffff',
        'circle-stroke-color': COLOURS.settlement,
        'circle-stroke-width': 1.2,
        'circle-radius': ['interpolate', ['linear'], ['coalesce', ['get', 'population'], 0], 0, 2, 10000, 4, 1000000, 10],
      },
    },
    { id: 'teams-circle', type: 'circle', source: 'teams', paint: unitPaint(COLOURS.team) },
    { id: 'crews-circle', type: 'circle', source: 'crews', paint: unitPaint(COLOURS.crew) },
    {
      id: 'draft-fill',
      type: 'fill',
      source: 'draft',
      paint: { 'fill-color': '#000000', 'fill-opacity': 0.15 },
    },
    {
      id: 'draft-line',
      type: 'line',
      source: 'draft',
      paint: { 'line-color': '#000000', 'line-width': 2, 'line-dasharray': [2, 1] },
    },
    {
      id: 'draft-points',
      type: 'circle',
      source: 'draft',
      filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-color': '#000', 'circle-radius': 4 },
    },
  ] as LayerSpecification[];
}

/** Recolours hazard areas and assets for the day `day` of the loaded plan (the layers the map has). */
export function paintForDay(map: MapLibreMap, day: number): void {
  const paint = (ids: string[], property: string, value: unknown) => {
    for (const id of ids) if (map.getLayer(id)) map.setPaintProperty(id, property, value);
  };
  paint(['hazard-areas-fill'], 'fill-color', hazardColour(day));
  paint(['hazard-areas-line'], 'line-color', hazardColour(day));
  paint(['hazard-areas-dot'], 'circle-color', hazardColour(day));
  paint(['assets-areas'], 'fill-color', assetColour(day));
  paint(['assets-power', 'assets-roads', 'assets-rail'], 'line-color', assetColour(day));
  paint(['assets-points'], 'circle-color', assetColour(day));
}

/** One point per polygon feature (the centre of its bounding box), with the same properties. */
export function centres(fc: GeoJSON.FeatureCollection): GeoJSON.FeatureCollection {
  const features: GeoJSON.Feature[] = [];
  for (const f of fc.features) {
    const box = bbox(f.geometry);
    if (!box) continue;
    features.push({
      type: 'Feature',
      id: f.id,
      properties: f.properties,
      geometry: { type: 'Point', coordinates: [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2] },
    });
  }
  return { type: 'FeatureCollection', features };
}

/** The bounding box [west, south, east, north] of a geometry, or `null` when it has no coordinates. */
export function bbox(geometry: GeoJSON.Geometry | null): [number, number, number, number] | null {
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number') {
      box[0] = Math.min(box[0], c[0]);
      box[1] = Math.min(box[1], c[1] as number);
      box[2] = Math.max(box[2], c[0]);
      box[3] = Math.max(box[3], c[1] as number);
      return;
    }
    for (const x of c) walk(x);
  };
  if (geometry && 'coordinates' in geometry) walk(geometry.coordinates);
  return Number.isFinite(box[0]) ? box : null;
}
