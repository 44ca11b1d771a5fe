// Drawing a hazard area's polygon on the map: click to add corners, click the first corner
// or press Finish to close the ring, Escape to cancel. The draft shows in its own source.

import type { GeoJSONSource, Map as MapLibreMap, MapMouseEvent } from 'maplibre-gl';
import { t } from '../messages';

export type Ring = [number, number][];

/**
 * Starts drawing; resolves with the closed ring (first corner repeated) or `null` when cancelled.
 * `say` words the hint for the number of corners placed so far (a hazard area's by default).
 */
export function drawPolygon(
  map: MapLibreMap,
  hint: HTMLElement,
  say: (corners: number) => string = hazardHint,
): { done: Promise<Ring | null>; finish: () => void; cancel: () => void } {
  const corners: Ring = [];
  let settle: (ring: Ring | null) => void = () => {};
  const done = new Promise<Ring | null>((resolve) => (settle = resolve));
  const source = () => map.getSource('draft') as GeoJSONSource | undefined;
  const canvas = map.getCanvas();
  canvas.style.cursor = 'crosshair';
  map.doubleClickZoom.disable();

  const redraw = () => {
    const features: GeoJSON.Feature[] = corners.map((c) => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: c } }));
    if (corners.length >= 2) {
      const ring = corners.length >= 3 ? [...corners, corners[0]] : corners;
      features.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: ring } });
    }
    if (corners.length >= 3) {
      features.push({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[...corners, corners[0]]] } });
    }
    source()?.setData({ type: 'FeatureCollection', features });
    hint.textContent = say(corners.length);
  };

  const onClick = (e: MapMouseEvent) => {
    if (corners.length >= 3) {
      const first = map.project(corners[0]);
      if (Math.hypot(first.x - e.point.x, first.y - e.point.y) < 10) return finish();
    }
    corners.push([round(e.lngLat.lng), round(e.lngLat.lat)]);
    redraw();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') cancel();
    if (e.key === 'Enter') finish();
  };
  const stop = () => {
    map.off('click', onClick);
    window.removeEventListener('keydown', onKey);
    canvas.style.cursor = '';
    map.doubleClickZoom.enable();
  };
  const finish = () => {
    if (corners.length < 3) return;
    stop();
    settle(counterClockwise([...corners, corners[0]]));
  };
  const cancel = () => {
    stop();
    source()?.setData({ type: 'FeatureCollection', features: [] });
    settle(null);
  };
  map.on('click', onClick);
  window.addEventListener('keydown', onKey);
  redraw();
  return { done, finish, cancel };
}

function hazardHint(corners: number): string {
  return corners < 3 ? t('draw.corner', { n: corners + 1 }) : t('draw.close', { n: corners });
}

/** Clears the draft polygon. */
export function clearDraft(map: MapLibreMap): void {
  (map.getSource('draft') as GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features: [] });
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * The closed ring wound counter-clockwise, as RFC 7946 asks of exterior rings: a person may
 * click the corners either way round, and a clockwise ring can read as the rest of the Earth.
 */
export function counterClockwise(ring: Ring): Ring {
  let twiceArea = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[i + 1];
    twiceArea += x1 * y2 - x2 * y1;
  }
  return twiceArea < 0 ? [...ring].reverse() : ring;
}
